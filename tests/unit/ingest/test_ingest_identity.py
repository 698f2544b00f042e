"""Identity columns at ingestion: folded to one spelling, or quarantined with the reason (ADR 0013)."""

from __future__ import annotations

from riskloop.domain.identifiers import resident_id_check_char


def rid(born: str, region: str = "420102") -> str:
    body = region + born + "007"
    return body + resident_id_check_char(body)


def arabic_indic(text: str) -> str:
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in text)


def test_identities_fold_or_are_quarantined_with_the_reason(harness, sample, source, reasons):
    rows = sample.applications(9)  # applied in March 2024 onwards; the clock is 2025-01-15
    rows[1]["applicant_id"] = arabic_indic(rows[1]["applicant_id"])
    rows[1]["phone"] = "".join(chr(ord(c) + 0xFEE0) for c in rows[1]["phone"])  # full-width
    rows[2]["applicant_id"] = rid("20100101")  # 14 when applying
    rows[3]["applicant_id"] = rid("20250201")  # born after the as-of date
    rows[4]["applicant_id"] = rid("19800101", region="990102")  # no such province
    rows[5]["phone"] = "00000000000"
    rows[6]["ip"] = "localhost"
    rows[7]["ip"] = "::FFFF:10.0.0.9"
    rows[8]["applicant_id"] = rid("19400101")  # 84 when applying
    sample.write(source, "applications", rows, "csv")

    harness.run()

    got = reasons(harness.quarantine())
    assert [(n, f) for n, f, _ in got if f != "applicant_id" or n != 4] == [
        (3, "applicant_id"), (5, "applicant_id"), (6, "phone"), (7, "ip"), (9, "applicant_id"),
    ]  # fmt: skip
    text = {n: r for n, _, r in got}
    assert "outside the product's age range 18-70" in text[3]
    assert "after the as-of date" in " ".join(r for n, _, r in got if n == 4)
    assert "province-level division" in text[5]
    assert "one digit repeated" in text[6]
    assert "not an IPv4 or IPv6 client address" in text[7]
    assert "outside the product's age range" in text[9]
    loaded = {r["application_id"]: r for r in harness.loaded("applications", "application_id")}
    assert loaded[rows[1]["application_id"]]["applicant_id"] == sample.resident_id(1)
    assert loaded[rows[1]["application_id"]]["phone"] == sample.applications(2)[1]["phone"]
    assert loaded[rows[7]["application_id"]]["ip"] == "10.0.0.9"
