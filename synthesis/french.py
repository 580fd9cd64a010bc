"""French wording helpers shared by messages and reports."""


def plural_suffix(count: int) -> str:
    """"s" from two on: in French, 0 and 1 take the singular ("0 carte", "1 carte", "2 cartes")."""
    return "s" if count > 1 else ""


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """"1 carte", "3 cartes"; plural_word for irregular plurals ("idées isolées", "transversaux")."""
    if count > 1:
        return f"{count} {plural_word or word + 's'}"
    return f"{count} {word}"
