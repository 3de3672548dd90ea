CREATE TABLE "registry_department_aliases" (
	"id" text PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"code" text,
	"name" text NOT NULL,
	"department_id" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "registry_department_aliases_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "registry_projects" (
	"id" text PRIMARY KEY NOT NULL,
	"year" integer NOT NULL,
	"natural_key" text NOT NULL,
	"department_id" text,
	"finance_office" jsonb,
	"competent_dept" jsonb,
	"unit" jsonb,
	"contacts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"project_name" text NOT NULL,
	"requested_amount" jsonb,
	"functional_class" jsonb,
	"classified" boolean,
	"funding_type" text,
	"fund_source" text,
	"source" jsonb NOT NULL,
	"table_id" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "registry_projects_year_key_unique" UNIQUE("year","natural_key")
);
--> statement-breakpoint
ALTER TABLE "registry_department_aliases" ADD CONSTRAINT "registry_department_aliases_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_department_aliases" ADD CONSTRAINT "registry_department_aliases_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_projects" ADD CONSTRAINT "registry_projects_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_projects" ADD CONSTRAINT "registry_projects_table_id_target_tables_id_fk" FOREIGN KEY ("table_id") REFERENCES "public"."target_tables"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_projects" ADD CONSTRAINT "registry_projects_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_projects" ADD CONSTRAINT "registry_projects_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "registry_department_aliases_department_idx" ON "registry_department_aliases" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "registry_projects_year_department_idx" ON "registry_projects" USING btree ("year","department_id");--> statement-breakpoint
CREATE INDEX "registry_projects_table_idx" ON "registry_projects" USING btree ("table_id");