"""Results as files to download: CSV for spreadsheets, JSON as the API gives it, and the Pabulib ballots."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from budgets.records import ProjectRecord
from budgets.tables import RoundResult
from infra.http import localized

CSV_COLUMNS = ("project_id", "title", "cost", "votes", "score", "selected", "reason", "price_per_voter")


def results_csv(results: dict[str, Any], projects: list[ProjectRecord], language: str) -> str:
    titles = {p.id: localized(p.title, language) for p in projects}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in results["projects"]:
        writer.writerow([item["project_id"], titles.get(item["project_id"], ""), item["cost"], item["votes"],
                         item["score"], "yes" if item["selected"] else "no", item.get("reason") or "",
                         "" if item.get("price_per_voter") is None else item["price_per_voter"]])
    # A byte-order mark, so that Excel opens Kazakh and Russian titles as UTF-8.
    return "\ufeff" + out.getvalue()


def results_json(results: dict[str, Any]) -> str:
    def encode(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat().replace("+00:00", "Z")
        raise TypeError(type(value).__name__)

    return json.dumps(results, ensure_ascii=False, indent=2, default=encode)


async def results_pabulib(round_id: int) -> str | None:
    row = await RoundResult.select(RoundResult.pabulib).where(RoundResult.round == round_id).first()
    return row["pabulib"] if row else None
