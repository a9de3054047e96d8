// A small Drizzle project used by notebooks/05_prisma_drizzle.ipynb.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema.ts",
  out: "./drizzle",
  dbCredentials: { url: "./app.db" },
});
