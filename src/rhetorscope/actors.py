"""Actor masking: the classifier judges wording, not who is named.

Country, leader, organisation and party names (and the adjectives made from
them) are replaced by one placeholder before features are extracted, so a
paragraph about one side scores like the same paragraph about the other. The
patterns are word stems matched at a word start, followed by any inflection,
which covers the case endings of Russian and Polish and the adjectives of all
six languages without a morphological analyser. Pure `re`, no dependencies.
"""

from __future__ import annotations

import re

PLACEHOLDER = "ζ"
"""A letter absent from the six languages: a single word token and a compact char n-gram."""

_STEMS: tuple[str, ...] = (
    # countries, their capitals and adjectives
    "Russ", "russ", "Rusl", "Rosj", "Rosy", "rosyjsk", "Росси", "росси", "Русск", "русск", "Москв", "Moskau",
    "Moscou", "Mosca", "Moskw", "Moscow", "Kreml", "Kremlin", "Кремл", "Cremlin",
    "United States", "Stati Uniti", "Stany Zjednoczon", "Vereinigte Staaten", "Vereinigten Staaten",
    "[ÉE]tats-Unis", "Соединенн\\w* Штат", "Соединённ\\w* Штат", "Americ", "americ", "Amerik", "amerik",
    "Améric", "améric", "Ameryk", "ameryk", "Америк", "америк", "Washington", "Waszyngton", "Вашингтон",
    "White House", "Maison Blanche", "Casa Bianca", "Weißen Haus", "Weiße Haus", "Biał\\w* Dom",
    "Бел\\w* дом",
    "Ukrain", "ukrain", "Ukrai", "ukrai", "Ucrain", "ucrain", "Украин", "украин", "Kiev", "Kyiv", "Kiew",
    "Kijów", "Kijow", "Киев", "Chin[ae]", "Chinese", "Chinois", "chinois", "chines", "Cin[ae](?!\\w)",
    "Cines", "cines", "Китай", "Китая", "Китаю", "китайск", "Pekin",
    "Beijing", "Pékin", "Peking", "Pechin", "Пекин", "German", "Deutsch", "deutsch", "Allemagne", "allemand",
    "Germani", "tedesc", "Niemc", "niemieck", "Германи", "германск", "немецк", "Berlin", "Берлин",
    "France", "Frankreich", "Francia", "Francj", "Франци", "français", "französisch", "frances", "francus",
    "французск", "French", "Paris", "Parigi", "Paryż", "Париж", "Ital", "ital", "Włoch", "włosk", "Итали",
    "итальянск", "Rom[ae]?(?!\\w)", "Poland", "Polish", "Pologne", "polonais", "Polen", "polnisch", "Poloni",
    "polacc",
    "Polsk", "polsk", "Польш", "польск", "Warsaw", "Varsavia", "Varsovie", "Warschau", "Warszaw", "Варшав",
    "Britain", "British", "Britann", "britann", "Britisch", "britisch", "Brytani", "brytyjsk", "Британи",
    "британск", "United Kingdom", "Royaume-Uni", "Regno Unito", "London", "Londres", "Londra", "Londyn",
    "Лондон", "Israel", "israel", "Isra", "isra", "Izrael", "izrael", "Израил", "израильск", "Iran", "iran",
    "Иран", "иранск", "Belarus", "Biélorussie", "Białoru", "białorusk", "Беларус", "Белорусс", "белорусск",
    "Europ", "europ", "Europä", "europä", "Europej", "europej", "Европ", "европ", "Brussel", "Bruxelles",
    "Brüssel", "Bruksel", "Брюссел",
    # organisations and parties
    "NATO", "OTAN", "НАТО", "CSTO", "OTSC", "ODKB", "OVKS", "ОДКБ", "EU", "UE", "ЕС", "UN", "ONU", "ONZ",
    "ООН", "USA", "US", "U\\.S\\.", "UK", "США", "UdSSR", "URSS", "USSR", "ZSRR", "СССР", "Soviet", "soviet",
    "sowjet", "Sowjet", "sowieck", "Sowieck", "советск", "Советск", "Democrat", "Republican", "Demokrat",
    "Republikan", "Démocrat", "Républicain", "Democratic", "GOP", "Labour", "Tory", "Tories", "Conservative",
    "PiS", "Platform\\w* Obywatelsk", "Единая Россия", "Единой России", "AfD", "CDU", "SPD", "Lega(?!\\w)",
    "Fratelli d'Italia", "Rassemblement national",
    # leaders
    "Putin", "Poutine", "Путин", "Biden", "Байден", "Trump", "Трамп", "Obama", "Обам", "Clinton", "Клинтон",
    "Zelensk", "Zelenski", "Selensk", "Zełensk", "Зеленск", "Xi Jinping", "Си Цзиньпин", "Macron", "Макрон",
    "Scholz", "Шольц", "Merkel", "Меркель", "Meloni", "Мелони", "Draghi", "Драги", "Duda", "Дуд", "Tusk",
    "Туск", "Kaczyński", "Kaczyńsk", "Качиньск", "Morawieck", "Моравецк", "Lavrov", "Lawrow", "Ławrow",
    "Лавров", "Blinken", "Блинкен", "Johnson", "Джонсон", "Sunak", "Erdo[gğ]an", "Эрдоган", "Lukashenk",
    "Lukaschenk", "Łukaszenk", "Loukachenk", "Лукашенк", "Netanyahu", "Netanjahu", "Нетаньяху", "Orb[aá]n",
    "Орбан", "Medvedev", "Medwedew", "Miedwiediew", "Медведев", "Shoigu", "Schoigu", "Szojgu", "Шойгу",
    "Stoltenberg", "Столтенберг", "von der Leyen", "фон дер Ляйен", "Harris", "Харрис", "Pence", "Пенс",
    "Assad", "Асад", "Maduro", "Мадуро", "Khamenei", "Хаменеи", "Kim Jong[- ]?[Uu]n", "Kim Jong", "Ким Чен",
    "Navaln", "Nawaln", "Навальн", "Prigozhin", "Prigoschin", "Prigożyn", "Пригожин", "Kadyrov", "Kadyrow",
    "Кадыров", "Starmer", "Стармер", "Le Pen", "Ле Пен", "Salvini", "Сальвини",
    # further countries, capitals and organisations named in the training data
    "Syri", "syri", "Siria(?!\\w)", "sirian", "Сири", "сирийск", "Damas", "Дамаск", "Venezuel", "venezuel",
    "Венесуэл", "Turk", "Türk", "türk", "Turqu", "turc", "Turch", "turch", "Turcj", "tureck", "Турци",
    "турецк", "Ankar", "Анкар", "Hamas", "ХАМАС", "Хамас", "Hezbollah", "Hisbollah", "Хезболл",
)

_ACRONYM = re.compile(r"[A-ZА-ЯЁ.\\]+")
"""Stems that are acronyms ("US", "UN", "EU"): a capital after them makes another word ("USED", "UNDER")."""
_LOWER_SUFFIX = r"(?:[^\W\d_A-ZА-ЯЁ]\w*)?(?!\w)"
_ACTOR_RE = re.compile(
    r"(?<!\w)(?:(?:"
    + "|".join(sorted((s for s in _STEMS if not _ACRONYM.fullmatch(s)), key=len, reverse=True))
    + r")\w*|(?:"
    + "|".join(sorted((s for s in _STEMS if _ACRONYM.fullmatch(s)), key=len, reverse=True))
    + ")" + _LOWER_SUFFIX + ")"
)


def mask_actors(text: str) -> str:
    """Replace every actor name (with its inflection) by the placeholder letter."""
    return _ACTOR_RE.sub(PLACEHOLDER, text)


def is_actor(word: str) -> bool:
    """Whether one token is an actor name or a word made from one ("Russia", "American", "Путина").

    A headline in capitals ("IRAN", "RUSSIAN") is checked as a capitalised word too;
    the gazetteer's own all-caps names ("US", "NATO") match as they are, inflected only in
    lower case ("NATOs"), so "USED" and "UNDER" stay words.
    """
    return (_ACTOR_RE.fullmatch(word) is not None
            or (word.isupper() and _ACTOR_RE.fullmatch(word.capitalize()) is not None))
