"""Seed data: reference rows loaded repeatably into every environment.

``native`` runs the migration tool's own seeds (Knex, Prisma, Django, TypeORM/Drizzle scripts);
the other modules read our own seed folder or a DataFrame and upsert it in foreign-key order.
The ``seed`` verb (``_verbs/seed.py``) previews and confirms both.
"""
