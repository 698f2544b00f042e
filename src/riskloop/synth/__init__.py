"""Seeded synthetic SME universe: enterprises, five data dimensions, applications, loans, outcomes, fraud rings.

Output layout of ``generate_universe(params, out)``::

    out/
      tables/<table>/part-00000.parquet, part-00001.parquet, ...
          every contract table of ``riskloop.domain.tables`` (all 33), one part per chunk of enterprises, each
          with exactly ``arrow_schema(table)``; a chunk with no rows for a table still writes an empty part
          (``loan_products`` has its rows in part 0 only).
      history/enterprises/part-NNNNN.parquet
          earlier versions of the enterprises changed after disbursal (ADR 0020), for a second ingest.
      truth/<name>.parquet          ground truth, never under tables/:
          enterprises   credit_code, latent_score, pd_12m, is_shell
          applications  application_id, credit_code, defaulted (would default within 12 months if funded, for
                        every application), default_date, is_fraud, ring_id
          rings         ring_id, shape, size, window_start, window_end
          ring_members  ring_id, application_id, credit_code, applicant_id
          loans         loan_id, defaulted, default_date, deterioration_start, lead_days
          scenario, scenario_applications
                        only with a drift scenario (``synth/scenario.py``): the scenario (name, shift date,
                        magnitude, segment) and per application after_shift, in_segment, affected
          collection_responses, collection_cases, call_labels
                        collection (``synth/collection_tables.py``): every arm's response and potential outcome
                        per logged case and round, the debtors' latent types, the planted transcript issues
          ring_identifiers, decoys, decoy_members
                        only with ``fraud="hard"``: what ties each hard ring together (ring_id, application_id,
                        identifier_kind, value, variant, canonical, hard_variant, recycled_from); each decoy
                        (decoy_id, decoy_kind, identifier_kind, value, enterprises) and its honest enterprises
          future_scale  credit_code, month, sales_cents, purchases_cents: each enterprise's true business over the
                        12 months from the month of as-of (``synth/future_scale.py``; purchases = 0.45 x sales)
          prospect_outcomes
                        credit_code, sales_last_12m_cents, sales_next_12m_cents, growth_12m, defaulted_12m,
                        default_date, borrows_12m: the 12-month outcomes prospect screening is measured on
      manifest.json   schema and generator versions, seed, parameters, as-of, row counts per table and per
                      truth table, size and sha256 of every file; no wall-clock time.

Determinism: the output is a pure function of ``UniverseParams`` (enterprises, seed, as-of, chunk size,
scenario, fraud). Every random draw comes from ``numpy.random.Generator(PCG64(SeedSequence([seed, chunk, stream])))``;
identifiers and cross-chunk attributes (kind, region, credit code, resident ID, phone) are hash functions of a
global index. The worker count changes only speed.
"""

from riskloop.synth.params import DEFAULT_AS_OF, GENERATOR_VERSION, UniverseParams
from riskloop.synth.universe import UniverseSummary, chunk_tables, generate_universe

__all__ = [
    "DEFAULT_AS_OF",
    "GENERATOR_VERSION",
    "UniverseParams",
    "UniverseSummary",
    "chunk_tables",
    "generate_universe",
]
