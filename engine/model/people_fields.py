"""The derived fields of people events, open questions, project offices and slipped deals (issue 22), by kind."""

from __future__ import annotations

#: (name, type, meaning) per subject kind; ``fields.py`` adds them to the fields rules can test.
PEOPLE_FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "contact": (
        ("moved", "bool", "changed role (previous_role) or left it (moved_to)"),
        ("previous_title", "str", "the title of the role held before this one; null if none"),
        ("days_since_role_change", "int", "days since the previous role ended (previous_role.until); null if unknown"),
        ("moved_to", "str", "where this person went (a new role, another company), in words; null if they did not"),
        ("successor_name", "str", "the name of the contact who took over this person's role (replaced_by)"),
        ("successor_title", "str", "the title of that successor"),
        ("successor_met", "bool", "someone of ours has met the successor; null without a successor"),
        ("predecessor_name", "str", "the name of the contact this person took over from (their replaced_by)"),
        ("predecessor_stance", "int", "that predecessor's stance toward us; null without a predecessor"),
        ("project_office", "bool", "the customer's project office: its department says so, or extra.project_office"),
        ("open_question_count", "int", "questions this person asked that are still unanswered"),
        ("open_question", "str", "the text of the oldest of them; null if none"),
        ("days_since_open_question", "int", "days since the oldest unanswered question was asked; null if none"),
        ("deal_close_date_passed", "bool", "the close date of the top deal passed while it is still live (slipped)"),
    ),
    "opportunity": (("close_date_passed", "bool", "live, and its close date passed: the deal slipped"),),
    "account": (
        ("project_office_contacts", "int", "contacts who are the customer's project office"),
        ("departments_without_supporter", "int", "departments of two or more contacts where nobody is at stance >= 1"),
    ),
}
