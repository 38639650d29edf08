"""The PromptSales ETL (SPEC S2–S4): change capture in the sources, set-based delta load into the warehouse.

``promptsales etl run`` runs one pass (:func:`promptsales.etl.engine.run_pass`); Dagster runs the same
steps as an asset graph (:mod:`promptsales.etl.pipeline`) every 11 minutes through a sensor.
"""
