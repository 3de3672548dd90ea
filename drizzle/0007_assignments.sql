CREATE TABLE "assignments" (
	"year" integer NOT NULL,
	"department_id" text NOT NULL,
	"consultant_id" text NOT NULL,
	"difficulty" text NOT NULL,
	"assigned_by" text,
	"assigned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assignments_year_department_id_pk" PRIMARY KEY("year","department_id"),
	CONSTRAINT "assignments_difficulty_check" CHECK ("assignments"."difficulty" in ('high', 'low', 'homogeneous', 'town'))
);
--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_consultant_id_users_id_fk" FOREIGN KEY ("consultant_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_assigned_by_users_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assignments_consultant_idx" ON "assignments" USING btree ("consultant_id","year");