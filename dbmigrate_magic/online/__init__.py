"""Zero-downtime changes: expand/contract plans for risky DDL and the batched, resumable backfill.

``planner.plan_sql`` turns SQL into an ``OnlinePlan`` (one ``Step`` per migration, with the deploy
checklist between them); ``write`` stores the steps with the project's own tool; ``backfill`` runs
the batched updates a plan's backfill steps call for.
"""
