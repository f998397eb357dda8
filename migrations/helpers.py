"""Helpers shared by migrations."""
from alembic import op

# PostgreSQL-only indexes written by hand in migrations (trigram, expression): the
# models do not declare them, so autogenerate is told to leave them alone.
MANUAL_INDEXES = {"ix_product_search_trgm", "ix_product_sku_prefix"}


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "index" and name in MANUAL_INDEXES)


def create_append_only_guard(table):
    """On PostgreSQL the database itself refuses UPDATE and DELETE on a ledger table.

    TRUNCATE (used by `flask seed-data --flush` and the tests) stays possible.
    SQLite, the embedded default, has no such guard: the services never update ledgers.
    """
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION refuse_ledger_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()"
    )


def drop_append_only_guard(table):
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
