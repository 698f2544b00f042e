"""Business-scale forecast: 3-, 6- and 12-month sales and purchases of every enterprise, with 80 % intervals.

``series`` builds the monthly invoice and VAT series point in time (DuckDB over the warehouse's Parquet);
``features`` turns a series into the model's rows (numpy, shared by training and serving); ``train`` fits the
global LightGBM quantile models on cut points inside each enterprise's own history (training stack);
``model`` serves them with the LightGBM C library through ``scoring.booster`` (no ``lightgbm`` package);
``baseline`` is the seasonal-naive forecast; ``metrics`` the sMAPE, MASE and interval coverage of sums.
ADR 0033 records the measured choice of a global model over per-series statsforecast models.
"""
