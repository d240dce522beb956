"""The only code that speaks SQL: schema, migrations, engine and repository."""
