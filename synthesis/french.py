"""French wording helpers shared by messages and reports."""


def plural_suffix(count: int) -> str:
    """"s" from two on: in French, 0 and 1 take the singular ("0 carte", "1 carte", "2 cartes")."""
    return "s" if count > 1 else ""


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """"1 carte", "3 cartes"; plural_word for irregular plurals ("idées isolées", "transversaux")."""
    if count > 1:
        return f"{count} {plural_word or word + 's'}"
    return f"{count} {word}"


def segment_word(name: str, count: int = 2) -> str:
    """A survey's segment column as the unit of a count: « Département » -> « départements »,
    « Type de structure » -> « types de structure » (the first word takes the plural; acronyms keep their capitals)."""
    head, _, rest = name.strip().partition(" ")
    head = head if head.isupper() else head.lower()
    if count > 1 and not head.endswith(("s", "x", "z")):
        head = head[:-2] + "aux" if head.endswith("al") else head + ("x" if head.endswith(("eau", "au", "eu")) else "s")
    return f"{head} {rest}".strip()


def segment_plural(name: str) -> str:
    return segment_word(name, 2)
