"""The app's own chrome: panel titles, button captions, key descriptions, status messages.

The coach's words never live here; they arrive as engine events.
"""

from __future__ import annotations

APP_TITLE = "decline-coach"
INPUT_PLACEHOLDER = "Type your answer · 1-9 picks an option · F1 for keys"
LETTER_PLACEHOLDER = "Paste or type here · Enter sends · ctrl+j for a new line"
CASE_TITLE = "Your case"
JOURNEY_TITLE = "Journey"
PRUNED_NOTE = "Earlier messages are hidden to keep things quick; export the transcript (ctrl+s) for all."
END_NOTE = "— end of this conversation · type to carry on, ctrl+n for a new case, ctrl+q to quit —"
EARLIER_NOTE = "— earlier in this case —"
OPENING = "Opening your case…"
OPEN_DRAFT = "Open draft (ctrl+o)"
DRAFT_REVIEW = "Review: {failed} of {count} checks need a look"
DRAFT_ALL_CLEAR = "Review: passes all {count} checks"
NO_DRAFT = "There is no draft yet in this conversation."
ANOTHER_TONE = "To get another tone, ask the coach in the chat."
TRIMMED_PASTE = "That paste was {length:,} characters; only the first {limit:,} were kept."
REMOVED_CONTROLS = "Removed {count} terminal control character(s) from the paste."
SAVED = "Saved to {path}"
SAVE_FAILED = "Could not save to {path}: {error}"
ENGINE_FAILED = "Something went wrong handling that turn: {error}"
TRANSCRIPT = "Transcript"
DRAFT = "Draft"
CASES_TITLE = "Cases"
FOLLOWUPS_TITLE = "Follow-ups due and pending"
NO_STORE = "Saved cases are not available (this conversation is not being saved)."
CASE_DELETED = "Case {id} deleted."
FOLLOWUP_DONE = "Marked done: {title}"
HELP_TITLE = "Keys"
HELP_INTRO = (
    "Answer in your own words, or pick an option with its number. The coach understands "
    "“help”, “back”, “restart” and “quit” at any time. Everything you type is shown as typed."
)
SAVE_TITLE = "Save to file"
SAVE_BUTTON = "Save"
CANCEL_BUTTON = "Cancel"
COPY_BUTTON = "Copy (c)"
SAVE_DRAFT_BUTTON = "Save (s)"
CLOSE_BUTTON = "Close (esc)"
