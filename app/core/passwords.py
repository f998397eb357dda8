"""The password policy (issue 19 item 7): long enough, and not easy to guess as zxcvbn judges
it (common passwords, words, names, sequences, repeats, dates, the person's own email or name),
rather than hand-written character rules. Every place a password is set asks this module."""
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn's 0..4: 3 = "safely unguessable" for an online attack with throttling
MAX_CHECKED = 100  # zxcvbn's time grows with the length; past this, a password is long enough

TOO_COMMON = _l("Ce mot de passe fait partie des plus courants : choisissez-en un autre.")
TOO_EASY = _l("Mot de passe trop facile à deviner (mot courant, nom, suite, répétition ou date) : "
              "allongez-le ou mélangez des mots sans rapport.")


def password_problem(password, user_inputs=()):
    """None when `password` is acceptable, else the French reason (a lazy string)."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _l("Mot de passe trop court : %(min)s caractères au moins.", min=MIN_LENGTH)
    if len(password) > MAX_CHECKED:
        return None
    inputs = [part for value in user_inputs if value for part in str(value).replace("@", " ").replace(".", " ").split()]
    result = zxcvbn(password, user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    if "common" in (result["feedback"].get("warning") or ""):
        return TOO_COMMON
    return TOO_EASY
