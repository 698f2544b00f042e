"""Feature groups of the tax source: declarations, credit grade and VAT invoices."""

from __future__ import annotations

from riskloop.features.spec import FeatureGroup

TAX = FeatureGroup(
    "tax",
    "tax",
    ("tax_declarations", "tax_credit_grades"),
    (
        ("tax_log_revenue_12m", "Log of VAT-declared revenue over the last 12 months (CNY)"),
        ("tax_revenue_growth", "Declared revenue of the last 6 months / the 6 months before"),
        ("tax_revenue_cv", "Coefficient of variation of monthly declared revenue"),
        ("tax_filing_months_12m", "Months with a VAT declaration in the last 12"),
        ("tax_late_filings_12m", "Declarations filed after the 15th of the following month"),
        ("tax_arrears_ratio", "Unpaid share of tax payable over the last 12 months"),
        ("tax_grade_score", "Latest published tax credit grade (A=4, B=3, M=2, C=1, D=0)"),
    ),
    """
    WITH d AS (
        SELECT s.application_id, s.as_of, x.*
        FROM spine s JOIN tax_declarations x ON x.credit_code = s.credit_code
         AND x.filed_date < s.as_of AND x.tax_type = 'VAT'
         AND x.period >= date_trunc('month', s.as_of) - INTERVAL 12 MONTH),
    agg AS (
        SELECT application_id,
               sum(declared_revenue_cents) AS revenue,
               sum(declared_revenue_cents) FILTER (WHERE period >= date_trunc('month', as_of) - INTERVAL 6 MONTH)
                   AS recent,
               sum(declared_revenue_cents) FILTER (WHERE period < date_trunc('month', as_of) - INTERVAL 6 MONTH)
                   AS earlier,
               stddev_pop(declared_revenue_cents) / nullif(avg(declared_revenue_cents), 0) AS cv,
               count(*) AS months,
               count(*) FILTER (WHERE filed_date > period + INTERVAL 1 MONTH + INTERVAL 14 DAY) AS late,
               sum(tax_payable_cents - least(tax_paid_cents, tax_payable_cents)) / nullif(sum(tax_payable_cents), 0)
                   AS arrears
        FROM d GROUP BY application_id),
    grade AS (
        SELECT s.application_id,
               arg_max(CASE g.grade WHEN 'A' THEN 4 WHEN 'B' THEN 3 WHEN 'M' THEN 2 WHEN 'C' THEN 1 ELSE 0 END,
                       g.published_date) AS score
        FROM spine s JOIN tax_credit_grades g ON g.credit_code = s.credit_code AND g.published_date < s.as_of
        GROUP BY s.application_id)
    SELECT s.application_id,
           ln(1 + coalesce(agg.revenue, 0) / 100.0) AS tax_log_revenue_12m,
           agg.recent / nullif(agg.earlier, 0) AS tax_revenue_growth,
           agg.cv AS tax_revenue_cv,
           coalesce(agg.months, 0) AS tax_filing_months_12m,
           coalesce(agg.late, 0) AS tax_late_filings_12m,
           agg.arrears AS tax_arrears_ratio,
           grade.score AS tax_grade_score
    FROM spine s
    LEFT JOIN agg ON agg.application_id = s.application_id
    LEFT JOIN grade ON grade.application_id = s.application_id
    """,
)

INVOICES = FeatureGroup(
    "invoices",
    "tax",
    ("invoices",),
    (
        ("inv_sales_count_12m", "Sales invoices issued in the last 12 months"),
        ("inv_log_sales_12m", "Log of invoiced sales over the last 12 months (CNY)"),
        ("inv_sales_trend", "Invoiced sales of the last 3 months / the 9 months before, per month"),
        ("inv_void_red_ratio", "Share of sales invoices voided or red-lettered"),
        ("inv_customer_hhi", "Customer concentration (Herfindahl index of sales by buyer; a consumer sale its own)"),
        ("inv_customers", "Distinct enterprise buyers in the last 12 months (consumers have no credit code)"),
        ("inv_supplier_hhi", "Supplier concentration (Herfindahl index of purchases by seller)"),
    ),
    """
    WITH sales AS (
        SELECT s.application_id, s.as_of, i.invoice_no, i.buyer_code, i.issue_date, i.amount_cents, i.status
        FROM spine s JOIN invoices i ON i.seller_code = s.credit_code
         AND i.issue_date < s.as_of AND i.issue_date >= s.as_of - INTERVAL 12 MONTH),
    sales_agg AS (
        SELECT application_id, count(*) AS n,
               sum(amount_cents) FILTER (WHERE status = 'normal') AS amount,
               sum(amount_cents) FILTER (WHERE status = 'normal' AND issue_date >= as_of - INTERVAL 3 MONTH) / 3.0
                   AS recent,
               sum(amount_cents) FILTER (WHERE status = 'normal' AND issue_date < as_of - INTERVAL 3 MONTH) / 9.0
                   AS earlier,
               avg(CAST(status <> 'normal' AS DOUBLE)) AS void_red
        FROM sales GROUP BY application_id),
    by_buyer AS (
        SELECT application_id, coalesce(buyer_code, 'consumer:' || invoice_no) AS buyer,
               buyer_code IS NOT NULL AS identified, sum(amount_cents) AS amount
        FROM sales WHERE status = 'normal' GROUP BY application_id, buyer, identified),
    buyer_hhi AS (
        SELECT application_id, sum(power(amount / nullif(total, 0), 2)) AS hhi,
               count(*) FILTER (WHERE identified) AS buyers
        FROM (SELECT *, sum(amount) OVER (PARTITION BY application_id) AS total FROM by_buyer)
        GROUP BY application_id),
    by_seller AS (
        SELECT s.application_id, i.seller_code, sum(i.amount_cents) AS amount
        FROM spine s JOIN invoices i ON i.buyer_code = s.credit_code AND i.status = 'normal'
         AND i.issue_date < s.as_of AND i.issue_date >= s.as_of - INTERVAL 12 MONTH
        GROUP BY s.application_id, i.seller_code),
    seller_hhi AS (
        SELECT application_id, sum(power(amount / nullif(total, 0), 2)) AS hhi
        FROM (SELECT *, sum(amount) OVER (PARTITION BY application_id) AS total FROM by_seller)
        GROUP BY application_id)
    SELECT s.application_id,
           coalesce(a.n, 0) AS inv_sales_count_12m,
           ln(1 + coalesce(a.amount, 0) / 100.0) AS inv_log_sales_12m,
           a.recent / nullif(a.earlier, 0) AS inv_sales_trend,
           a.void_red AS inv_void_red_ratio,
           b.hhi AS inv_customer_hhi,
           coalesce(b.buyers, 0) AS inv_customers,
           sh.hhi AS inv_supplier_hhi
    FROM spine s
    LEFT JOIN sales_agg a ON a.application_id = s.application_id
    LEFT JOIN buyer_hhi b ON b.application_id = s.application_id
    LEFT JOIN seller_hhi sh ON sh.application_id = s.application_id
    """,
)
