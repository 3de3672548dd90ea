CREATE TABLE "department_materials" (
	"department_id" text NOT NULL,
	"year" integer NOT NULL,
	"item" integer NOT NULL,
	"status" text DEFAULT 'missing' NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "department_materials_department_id_year_item_pk" PRIMARY KEY("department_id","year","item"),
	CONSTRAINT "department_materials_status_check" CHECK ("department_materials"."status" in ('missing', 'received', 'not_applicable')),
	CONSTRAINT "department_materials_item_check" CHECK ("department_materials"."item" between 1 and 12)
);
--> statement-breakpoint
CREATE TABLE "material_files" (
	"id" text PRIMARY KEY NOT NULL,
	"department_id" text NOT NULL,
	"year" integer NOT NULL,
	"item" integer NOT NULL,
	"name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	"uploaded_by" text,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "target_tables" ADD COLUMN "rolled_from_id" text;--> statement-breakpoint
ALTER TABLE "department_materials" ADD CONSTRAINT "department_materials_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "department_materials" ADD CONSTRAINT "department_materials_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "material_files" ADD CONSTRAINT "material_files_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "material_files" ADD CONSTRAINT "material_files_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "material_files_department_idx" ON "material_files" USING btree ("department_id","year","item");--> statement-breakpoint
CREATE UNIQUE INDEX "target_tables_rolled_from_unique" ON "target_tables" USING btree ("rolled_from_id") WHERE "target_tables"."rolled_from_id" is not null and "target_tables"."deleted_at" is null;