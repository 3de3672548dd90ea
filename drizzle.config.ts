// drizzle-kit settings: `npx drizzle-kit generate` reads the schema and writes SQL migrations to drizzle/.
// Generation needs no database; the app applies the migrations itself at open (server/db/open.ts).
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './server/db/schema.ts',
  out: './drizzle',
  strict: true,
  verbose: true,
})
