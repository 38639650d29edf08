-- title: S6 metadata — what the system catalogs say about the PromptSales database
-- params: schema:text=wh
-- explanation:
--   Every object PostgreSQL knows is a row in a system catalog (pg_class, pg_attribute, pg_constraint,
--   pg_index, pg_proc …); information_schema is the portable, SQL-standard view over them. These queries
--   extract a data dictionary for one schema (default: the warehouse): tables with sizes and row
--   estimates, columns with types and nullability, keys and foreign keys, indexes with their definition,
--   and the routines with their arguments — the raw material of documentation generators and migrations.

-- 1. tables: estimated rows, total size (table + indexes + TOAST), comment
SELECT c.relname AS table_name, c.reltuples::bigint AS estimated_rows,
       pg_size_pretty(pg_total_relation_size(c.oid)) AS total_size, obj_description(c.oid) AS comment
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p', 'v', 'm')
ORDER BY c.relname;

-- 2. columns (information_schema, the portable way)
SELECT table_name, ordinal_position AS pos, column_name, data_type, is_nullable, column_default
FROM information_schema.columns WHERE table_schema = %(schema)s
ORDER BY table_name, ordinal_position;

-- 3. primary keys, unique and foreign keys, checks (pg_constraint)
SELECT conrelid::regclass AS table_name, conname AS constraint_name,
       CASE contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key'
                    WHEN 'c' THEN 'check' ELSE contype::text END AS kind,
       pg_get_constraintdef(oid) AS definition
FROM pg_constraint WHERE connamespace = %(schema)s::regnamespace
ORDER BY 1, 3, 2;

-- 4. indexes and their definitions (pg_index + pg_get_indexdef)
SELECT i.indrelid::regclass AS table_name, i.indexrelid::regclass AS index_name, i.indisunique AS is_unique,
       pg_get_indexdef(i.indexrelid) AS definition, pg_size_pretty(pg_relation_size(i.indexrelid)) AS size
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
WHERE c.relnamespace = %(schema)s::regnamespace ORDER BY 1, 2;

-- 5. routines (functions and procedures) of the portal: kind, arguments, result
SELECT p.oid::regprocedure AS routine, CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'f' THEN 'function' END AS kind,
       pg_get_function_result(p.oid) AS returns, l.lanname AS language
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'portal'::regnamespace ORDER BY 1;
