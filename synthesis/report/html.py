"""compte-rendu.html: the same report as the Markdown one, as a standalone page."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from synthesis.french import plural
from synthesis.report.wording import all_warnings, category_title, editor_note, intro, theme_facts

_environment = Environment(
    loader=PackageLoader("synthesis.report", "templates"),
    # Everything participants wrote is escaped: a card can never inject markup or script.
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.globals.update(category_title=category_title, editor_note=editor_note, plural=plural, theme_facts=theme_facts)


def render_html(synthesis) -> str:
    template = _environment.get_template("compte-rendu.html.j2")
    return template.render(synthesis=synthesis, intro=intro(synthesis), warnings=all_warnings(synthesis))
