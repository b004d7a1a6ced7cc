"""Paging: following the API's ``after`` cursors through a list operation, with the page size
and item bound checked before any request."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cocframes.answers import Fetched
from cocframes.checks import count
from cocframes.operations import BY_NAME
from cocframes.request_path import RequestPath, plan_operation
from cocframes.sending import RetryBudget


@dataclass(frozen=True)
class Paging:
    """A checked paging request: the operation, its arguments and the bounds.

    Build it with :meth:`check`; ``max_items`` ``None`` means every item."""

    operation: str
    args: dict[str, Any]
    max_items: int | None
    page_size: int | None

    @classmethod
    def check(cls, operation: str, max_items: Any, page_size: Any,
              args: dict[str, Any]) -> Paging:
        """Return the paging of ``operation``; ``limit`` in ``args``, the API's own name,
        is taken as the page size.

        Raises:
            ValueError: an operation that does not page; ``max_items`` or the page size
                under 1; ``limit`` and ``page_size`` both given and different;
                ``before`` (pages follow ``after`` cursors).
            TypeError: a count that is not an int.
        """
        if not BY_NAME[operation].paged:
            raise ValueError(f"{operation} does not page")
        args = dict(args)
        limit = args.pop("limit", None)
        page_size = count("page_size", page_size)
        limit = count("limit", limit)
        if limit is not None and page_size is not None and limit != page_size:
            raise ValueError(f"limit={limit} and page_size={page_size} disagree: limit is "
                             "the API's name for page_size; give one")
        max_items = count("max_items", max_items)
        if "before" in args:
            raise ValueError("pages follow 'after' cursors; fetch one page with "
                             "call(..., before=...) to go backwards")
        return cls(operation, args, max_items, page_size if page_size is not None else limit)

    def pages(self, path: RequestPath, base_url: str, refresh: bool) -> Iterator[Fetched]:
        """Yield the answers page by page until the cursors end or the pages hold
        ``max_items`` items (the last page may hold more: see :func:`items`). All pages
        share one retry budget."""
        budget = RetryBudget(path.sender.max_retry_time)
        args = dict(self.args)
        after = args.pop("after", None)
        seen = 0
        while True:
            limit = self.page_size
            if self.max_items is not None:
                limit = min(self.page_size or self.max_items, self.max_items - seen)
            request = plan_operation(base_url, self.operation,
                                     {**args, "limit": limit, "after": after})
            page = path.answer(request, refresh, budget)
            yield page
            found = page.payload.get("items") or []
            seen += len(found)
            after = (page.payload.get("paging") or {}).get("cursors", {}).get("after")
            if not after or not found or (self.max_items is not None
                                          and seen >= self.max_items):
                return


def items(pages: Iterable[Fetched], max_items: int | None) -> Iterator[dict[str, Any]]:
    """Yield the items of ``pages``, at most ``max_items``."""
    yielded = 0
    for page in pages:
        for item in page.payload.get("items") or []:
            if max_items is not None and yielded >= max_items:
                return
            yield item
            yielded += 1
