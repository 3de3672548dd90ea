CREATE TABLE "indicator_proposals" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"indicator_id" text,
	"base_version" integer,
	"fields" jsonb NOT NULL,
	"reason" text NOT NULL,
	"department_id" text,
	"proposed_by" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" text,
	"decision_reason" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "indicator_proposals_kind_check" CHECK ("indicator_proposals"."kind" in ('add', 'change')),
	CONSTRAINT "indicator_proposals_status_check" CHECK ("indicator_proposals"."status" in ('pending', 'accepted', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "indicator_usages" (
	"table_id" text NOT NULL,
	"row_key" text NOT NULL,
	"indicator_id" text NOT NULL,
	"match" text NOT NULL,
	"level1" text NOT NULL,
	"level2" text NOT NULL,
	"level3" text NOT NULL,
	"comparator" text DEFAULT '' NOT NULL,
	"target" text DEFAULT '' NOT NULL,
	"unit" text DEFAULT '' NOT NULL,
	"year" integer NOT NULL,
	"department_id" text NOT NULL,
	"functional_class" text DEFAULT '' NOT NULL,
	"table_version" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "indicator_usages_table_id_row_key_pk" PRIMARY KEY("table_id","row_key")
);
--> statement-breakpoint
CREATE TABLE "library_versions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "library_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"year" integer NOT NULL,
	"version" integer NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"entry_count" integer NOT NULL,
	"entries" jsonb NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "library_versions_year_version_unique" UNIQUE("year","version")
);
--> statement-breakpoint
ALTER TABLE "jobs" DROP CONSTRAINT "jobs_kind_check";--> statement-breakpoint
ALTER TABLE "target_tables" ADD COLUMN "library_version_id" integer;--> statement-breakpoint
ALTER TABLE "indicator_proposals" ADD CONSTRAINT "indicator_proposals_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_proposals" ADD CONSTRAINT "indicator_proposals_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_proposals" ADD CONSTRAINT "indicator_proposals_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_usages" ADD CONSTRAINT "indicator_usages_table_id_target_tables_id_fk" FOREIGN KEY ("table_id") REFERENCES "public"."target_tables"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_usages" ADD CONSTRAINT "indicator_usages_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "library_versions" ADD CONSTRAINT "library_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "indicator_proposals_status_idx" ON "indicator_proposals" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "indicator_proposals_indicator_idx" ON "indicator_proposals" USING btree ("indicator_id");--> statement-breakpoint
CREATE INDEX "indicator_usages_indicator_idx" ON "indicator_usages" USING btree ("indicator_id","year");--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_kind_check" CHECK ("jobs"."kind" in ('compilation', 'common-candidates'));