CREATE TABLE "field_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "field_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"table_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" text,
	"op" text NOT NULL,
	"path" text NOT NULL,
	"row_id" text,
	"field" text,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "review_rounds" (
	"table_id" text NOT NULL,
	"round" integer NOT NULL,
	"version" integer,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_by" text,
	"grades" jsonb,
	"verdict" text,
	"comment" text,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	CONSTRAINT "review_rounds_table_id_round_pk" PRIMARY KEY("table_id","round")
);
--> statement-breakpoint
ALTER TABLE "table_versions" DROP CONSTRAINT "table_versions_reason_check";--> statement-breakpoint
ALTER TABLE "target_tables" ADD COLUMN "error_count" integer;--> statement-breakpoint
ALTER TABLE "target_tables" ADD COLUMN "warning_count" integer;--> statement-breakpoint
ALTER TABLE "target_tables" ADD COLUMN "info_count" integer;--> statement-breakpoint
ALTER TABLE "target_tables" ADD COLUMN "findings_version" bigint;--> statement-breakpoint
ALTER TABLE "target_tables" ADD COLUMN "open_threads" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "target_tables" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "target_tables" ADD COLUMN "deleted_by" text;--> statement-breakpoint
ALTER TABLE "field_changes" ADD CONSTRAINT "field_changes_table_id_target_tables_id_fk" FOREIGN KEY ("table_id") REFERENCES "public"."target_tables"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_rounds" ADD CONSTRAINT "review_rounds_table_id_target_tables_id_fk" FOREIGN KEY ("table_id") REFERENCES "public"."target_tables"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "field_changes_table_idx" ON "field_changes" USING btree ("table_id","id");--> statement-breakpoint
CREATE INDEX "target_tables_updated_idx" ON "target_tables" USING btree ("updated_at","id");--> statement-breakpoint
ALTER TABLE "table_versions" ADD CONSTRAINT "table_versions_reason_check" CHECK ("table_versions"."reason" in ('approved', 'submitted', 'round', 'manual'));