"""Labels of the public help centre in French and English (gettext comes with issue 4)."""

from __future__ import annotations

LANGUAGES = ("fr", "en")

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Centre d'aide",
        "intro": "Trouvez une réponse à votre question sur vos démarches en ligne : titre de "
        "séjour, naturalisation, compte usager.",
        "search_label": "Rechercher dans le centre d'aide",
        "search_placeholder": "Par exemple : mot de passe oublié",
        "search_button": "Rechercher",
        "results_for": "Résultats pour",
        "no_results": "Aucun article ne correspond à votre recherche. Essayez d'autres mots, "
        "ou parcourez la liste des articles ci-dessous.",
        "all_articles": "Tous les articles",
        "suggestions": "Articles qui peuvent vous aider",
        "helpful_question": "Cette réponse vous a-t-elle aidé ?",
        "yes": "Oui",
        "no": "Non",
        "thanks": "Merci pour votre avis : il nous aide à améliorer nos réponses.",
        "back": "Retour au centre d'aide",
        "other_language": "English version",
        "other_language_code": "en",
        "updated": "Mis à jour le",
        "home": "Accueil",
    },
    "en": {
        "title": "Help centre",
        "intro": "Find an answer to your question about your online procedures: residence "
        "permit, naturalisation, user account.",
        "search_label": "Search the help centre",
        "search_placeholder": "For example: forgotten password",
        "search_button": "Search",
        "results_for": "Results for",
        "no_results": "No article matches your search. Please try other words, or browse the "
        "list of articles below.",
        "all_articles": "All articles",
        "suggestions": "Articles that may help you",
        "helpful_question": "Was this answer helpful?",
        "yes": "Yes",
        "no": "No",
        "thanks": "Thank you for your feedback: it helps us improve our answers.",
        "back": "Back to the help centre",
        "other_language": "Version française",
        "other_language_code": "fr",
        "updated": "Updated on",
        "home": "Home",
    },
}


def language(value: str | None, default: str = "fr") -> str:
    """A supported language code: the one asked for, else the default."""
    return value if value in LANGUAGES else default


def strings(lang: str) -> dict[str, str]:
    """The labels of one language."""
    return STRINGS[language(lang)]
