"""Saved cases (open, delete, start new) and the follow-ups they owe (mark done)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from bot.tui import labels

if TYPE_CHECKING:
    from bot.store import Store
    from bot.tui.app import CoachApp


def _cell(value: object) -> Text:
    # DataTable reads plain strings as markup; titles come from what people typed.
    return Text(str(value if value is not None else ""))


class CasesScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("cases.tcss")  # absolute: subclasses live elsewhere

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="cases.close"),
        # ctrl+l, which opened this screen, closes it (and its footer slot is left for others).
        Binding("ctrl+l", "close", "Back", show=False, id="cases.toggle"),
        Binding("o", "open", "Open", id="cases.open"),
        Binding("n", "new", "New", id="cases.new"),
        Binding("delete,d", "delete", "Delete", id="cases.delete"),
        Binding("x", "done", "Mark done", id="cases.done"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._armed_delete: int | None = None

    @property
    def coach_app(self) -> CoachApp:
        return self.app  # type: ignore[return-value]

    @property
    def store(self) -> Store | None:
        return self.coach_app.engine.store

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(labels.CASES_TITLE, markup=False, classes="section-title")
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Static(labels.FOLLOWUPS_TITLE, markup=False, classes="section-title")
        yield DataTable(id="followups", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)  # this screen's keys and the app's fit in 80 columns

    def on_mount(self) -> None:
        self.sub_title = labels.CASES_TITLE
        self.reload()
        self.query_one("#cases", DataTable).focus()

    def on_resize(self) -> None:
        if self.is_mounted:
            self.reload()  # the columns are fitted to the width

    def _columns(self, table: DataTable[Text], spec: tuple[tuple[str, int], ...]) -> None:
        """Columns that fit the screen: fixed widths, and the one marked 0 takes the rest
        (its text wraps onto more lines rather than being cut)."""
        room = (self.size.width or self.app.size.width) - 2 - 2  # the screen's padding, a scrollbar
        fixed = sum(width for _, width in spec) + 2 * table.cell_padding * len(spec)
        for label, width in spec:
            table.add_column(_cell(label), width=width or max(12, room - fixed))

    def _keep_cursor(self, table: DataTable[Text]) -> int:
        return table.cursor_row if table.row_count else 0

    def reload(self) -> None:
        cases = self.query_one("#cases", DataTable)
        follow = self.query_one("#followups", DataTable)
        rows = self._keep_cursor(cases), self._keep_cursor(follow)
        cases.clear(columns=True)
        follow.clear(columns=True)
        wide = (self.size.width or self.app.size.width) >= 100
        updated = 16 if wide else 10  # the date and time, or the date
        self._columns(cases, (("#", 3), ("Case", 0), ("Decision", 8), ("Turns", 5), ("Updated", updated), ("", 8)))
        self._columns(follow, (("#", 3), ("Due", 16), ("What", 0), ("Who", 18 if wide else 14), ("Case", 4)))
        self._fill(cases, follow, wide)
        for table, row in zip((cases, follow), rows, strict=True):
            if table.row_count:
                table.move_cursor(row=min(row, table.row_count - 1))

    def _fill(self, cases: DataTable[Text], follow: DataTable[Text], wide: bool) -> None:
        store = self.store
        if store is None:
            self.notify(labels.NO_STORE, markup=False)
            return
        current = self.coach_app.engine.case_id
        for case in store.list_cases():
            status = "current" if case.id == current else ("finished" if case.finished else "")
            cases.add_row(
                _cell(case.id),
                _cell(case.title),
                _cell(case.decision or ""),
                _cell(case.turns),
                _cell(case.updated[: 16 if wide else 10].replace("T", " ")),
                _cell(status),
                key=f"case-{case.id}",
                height=None,  # as many lines as the longest wrapped cell
            )
        today = self.coach_app.engine.today
        for item in store.all_followups(pending=True):
            due = item.due.isoformat() + (" (due)" if item.due <= today else "")
            follow.add_row(
                _cell(item.id),
                _cell(due),
                _cell(item.title),
                _cell(item.person),
                _cell(item.case_id),
                key=f"followup-{item.id}",
                height=None,
            )

    def _selected(self, table_id: str) -> int | None:
        table = self.query_one(table_id, DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        return int(key.rpartition("-")[2])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # Enter on a case opens it (the table's own enter binding selects the row).
        if event.data_table.id == "cases":
            event.stop()
            self.action_open()

    def action_close(self) -> None:
        self.dismiss()

    def action_open(self) -> None:
        if self.focused is self.query_one("#followups"):
            return
        case_id = self._selected("#cases")
        if case_id is not None:
            self.dismiss()
            self.coach_app.open_case(case_id)

    def action_new(self) -> None:
        self.dismiss()
        self.coach_app.open_case(None)

    def action_delete(self) -> None:
        case_id = self._selected("#cases")
        store = self.store
        if case_id is None or store is None or self.focused is not self.query_one("#cases"):
            return
        if self._armed_delete != case_id:
            self._armed_delete = case_id
            msg = labels.CONFIRM_DELETE.format(id=case_id)
            self.notify(msg, severity="warning", markup=False)
            return
        self._armed_delete = None
        store.delete_case(case_id)
        self.notify(labels.CASE_DELETED.format(id=case_id), markup=False)
        if case_id == self.coach_app.engine.case_id:
            self.coach_app.open_case(None)
        self.reload()

    def action_done(self) -> None:
        store = self.store
        item_id = self._selected("#followups")
        if item_id is None or store is None:
            return
        item = store.mark_done(item_id, self.coach_app.engine.today)
        self.notify(labels.FOLLOWUP_DONE.format(title=item.title), markup=False)
        self.reload()
