"""How the CLI prints results. Masked values arrive masked; nothing here unmasks."""

from __future__ import annotations

from typing import TextIO

from shielddesk.domain.child import ChildView
from shielddesk.services.children import ResultPage, how_many
from shielddesk.services.population import ImportSummary


def record_as_columns(view: ChildView) -> dict[str, object]:
    """A record keyed by the column names of DESIGN §6, plus `shielded`."""
    r = view.record
    row: dict[str, object] = {
        "cp_id": r.cp_id,
        "forenames": r.forenames,
        "surname": r.surname,
        "former_surnames": r.former_surnames,
        "date_of_birth": r.date_of_birth.isoformat(),
        "gender": r.gender,
        "address_line1": r.address_line1,
        "address_line2": r.address_line2,
        "town": r.town,
        "postcode": r.postcode,
        "school_name": r.school_name,
        "school_urn": r.school_urn,
        "school_postcode": r.school_postcode,
        "gp_practice_name": r.gp_practice_name,
        "gp_practice_code": r.gp_practice_code,
        "gp_postcode": r.gp_postcode,
    }
    for n in (1, 2):
        carer = r.carers[n - 1] if len(r.carers) >= n else None
        for part in ("name", "relationship", "address", "phone"):
            row[f"carer{n}_{part}"] = getattr(carer, part) if carer else ""
    row["involvements"] = [
        {
            "service": i.service,
            "practitioner": i.practitioner,
            "role": i.role,
            "organisation": i.organisation,
            "phone": i.phone,
            "address": i.address,
            "postcode": i.postcode,
        }
        for i in r.involvements
    ]
    row["shielded"] = view.shielded
    return row


def print_search_table(page: ResultPage, out: TextIO) -> None:
    if page.former_surname_matches:
        more = how_many(page.former_surname_matches)
        print(f"{more[:1].upper()}{more[1:]} more had this surname before (--former-surname lists them).", file=out)
    if not page.rows:
        print("No children match.", file=out)
        return
    print(f"{'CP ID':13} {'SURNAME':20} {'FORENAMES':20} {'BORN':10} G  {'POSTCODE':10} SHIELD", file=out)
    for row in page.rows:
        postcode = "(shielded)" if row.masked else row.postcode
        shield = "SHIELDED" if row.shielded else ""
        print(
            f"{row.cp_id:13} {row.surname[:20]:20} {row.forenames[:20]:20} {row.date_of_birth.isoformat():10} "
            f"{row.gender}  {postcode[:10]:10} {shield}",
            file=out,
        )
    shown_to = page.offset + len(page.rows)
    print(f"{page.offset + 1}-{shown_to} of {page.total}", file=out)


def print_import_summary(summary: ImportSummary, out: TextIO, err: TextIO) -> None:
    for warning in summary.warnings:
        print(f"warning: {warning}", file=err)
    print(
        f"Imported {summary.children_in_file:,} children: {summary.created:,} new, {summary.updated:,} updated, "
        f"{summary.unchanged:,} unchanged; {summary.involvements:,} involvements.",
        file=out,
    )
