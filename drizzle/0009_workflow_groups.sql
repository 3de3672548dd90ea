CREATE TABLE "department_groups" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"year" integer NOT NULL,
	"source_table_id" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "department_groups_year_name_unique" UNIQUE("year","name"),
	CONSTRAINT "department_groups_kind_check" CHECK ("department_groups"."kind" in ('homogeneous', 'demo-towns'))
);
--> statement-breakpoint
CREATE TABLE "department_stages" (
	"year" integer NOT NULL,
	"department_id" text NOT NULL,
	"stage" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"set_by" text,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "department_stages_year_department_id_pk" PRIMARY KEY("year","department_id"),
	CONSTRAINT "department_stages_stage_check" CHECK ("department_stages"."stage" in ('materials', 'draft', 'consultation', 'final', 'compiled'))
);
--> statement-breakpoint
CREATE TABLE "group_members" (
	"group_id" text NOT NULL,
	"year" integer NOT NULL,
	"department_id" text NOT NULL,
	CONSTRAINT "group_members_group_id_department_id_pk" PRIMARY KEY("group_id","department_id")
);
--> statement-breakpoint
CREATE TABLE "group_propagations" (
	"group_id" text NOT NULL,
	"table_id" text NOT NULL,
	"base" jsonb NOT NULL,
	"propagated_by" text,
	"propagated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "group_propagations_group_id_table_id_pk" PRIMARY KEY("group_id","table_id")
);
--> statement-breakpoint
CREATE TABLE "stage_deadlines" (
	"year" integer NOT NULL,
	"stage" text NOT NULL,
	"due_date" text NOT NULL,
	"set_by" text,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stage_deadlines_year_stage_pk" PRIMARY KEY("year","stage"),
	CONSTRAINT "stage_deadlines_stage_check" CHECK ("stage_deadlines"."stage" in ('materials', 'draft', 'consultation', 'final', 'compiled'))
);
--> statement-breakpoint
ALTER TABLE "department_groups" ADD CONSTRAINT "department_groups_source_table_id_target_tables_id_fk" FOREIGN KEY ("source_table_id") REFERENCES "public"."target_tables"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "department_groups" ADD CONSTRAINT "department_groups_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "department_stages" ADD CONSTRAINT "department_stages_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "department_stages" ADD CONSTRAINT "department_stages_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_group_id_department_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."department_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_propagations" ADD CONSTRAINT "group_propagations_group_id_department_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."department_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_propagations" ADD CONSTRAINT "group_propagations_table_id_target_tables_id_fk" FOREIGN KEY ("table_id") REFERENCES "public"."target_tables"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_propagations" ADD CONSTRAINT "group_propagations_propagated_by_users_id_fk" FOREIGN KEY ("propagated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_deadlines" ADD CONSTRAINT "stage_deadlines_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "group_members_year_department_unique" ON "group_members" USING btree ("year","department_id");