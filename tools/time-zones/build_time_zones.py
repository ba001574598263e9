#!/usr/bin/env python3
"""Builds data/time_zones.csv: the time zones a teacher chooses from, with
the name people give each one in English and in French.

Input: the tz database's zone.tab (one canonical zone per country and
region; Debian's tzdata package installs it as
/usr/share/zoneinfo/zone.tab). The English name is the place of the zone's
identifier (`America/New_York` -> `New York`; a sub-region is added in
brackets: `Knox (Indiana)`). French names are written here by hand where
French differs (`Europe/London` -> `Londres`), with the form that follows
"heure de" (`du Caire`, `d’Abidjan`, `des Açores`).

French zones (metropolitan France and every overseas department and
collectivity) also get a label naming the territory, for the list of the
profile form (`Nouvelle-Calédonie (Nouméa)`).

Run: python3 tools/time-zones/build_time_zones.py [zone.tab] > data/time_zones.csv
"""

import csv
import sys

# zone: (English territory label, French territory label, English place, French place)
FRENCH = {
    "Europe/Paris": ("Metropolitan France (Paris)", "France métropolitaine (Paris)", "Paris", "Paris"),
    "America/Guadeloupe": ("Guadeloupe", "Guadeloupe", "Guadeloupe", "Guadeloupe"),
    "America/Martinique": ("Martinique", "Martinique", "Martinique", "Martinique"),
    "America/Cayenne": ("French Guiana (Cayenne)", "Guyane (Cayenne)", "French Guiana", "Guyane"),
    "Indian/Reunion": ("Réunion", "La Réunion", "Réunion", "La Réunion"),
    "Indian/Mayotte": ("Mayotte", "Mayotte", "Mayotte", "Mayotte"),
    "America/Miquelon": ("Saint Pierre and Miquelon", "Saint-Pierre-et-Miquelon", "Saint Pierre and Miquelon", "Saint-Pierre-et-Miquelon"),
    "Pacific/Noumea": ("New Caledonia (Nouméa)", "Nouvelle-Calédonie (Nouméa)", "Nouméa", "Nouméa"),
    "Pacific/Tahiti": ("French Polynesia (Tahiti)", "Polynésie française (Tahiti)", "Tahiti", "Tahiti"),
    "Pacific/Marquesas": ("French Polynesia (Marquesas Islands)", "Polynésie française (îles Marquises)", "Marquesas Islands", "Marquises"),
    "Pacific/Gambier": ("French Polynesia (Gambier Islands)", "Polynésie française (îles Gambier)", "Gambier Islands", "Gambier"),
    "Pacific/Wallis": ("Wallis and Futuna", "Wallis-et-Futuna", "Wallis and Futuna", "Wallis-et-Futuna"),
    "America/St_Barthelemy": ("Saint Barthélemy", "Saint-Barthélemy", "Saint Barthélemy", "Saint-Barthélemy"),
    "America/Marigot": ("Saint Martin", "Saint-Martin", "Saint Martin", "Saint-Martin"),
    "Indian/Kerguelen": ("French Southern Lands (Kerguelen)", "Terres australes françaises (Kerguelen)", "Kerguelen", "Kerguelen"),
}

# The form after "heure" where the article is not the plain "de".
FRENCH_OF = {
    "America/Guadeloupe": "de la Guadeloupe",
    "America/Martinique": "de la Martinique",
    "America/Cayenne": "de la Guyane",
    "Pacific/Marquesas": "des Marquises",
    "Pacific/Gambier": "des Gambier",
    "Indian/Kerguelen": "des Kerguelen",
}

# The order of the French zones in the list: metropolitan France, then
# the overseas departments, then the collectivities.
FRENCH_ORDER = list(FRENCH)

# Places whose English name is not the identifier's.
ENGLISH = {
    "Asia/Ho_Chi_Minh": "Ho Chi Minh City",
    "Africa/El_Aaiun": "Laayoune",
    "Antarctica/DumontDUrville": "Dumont d’Urville",
    "America/Port-au-Prince": "Port-au-Prince",
    "Africa/Porto-Novo": "Porto-Novo",
    "Africa/Ndjamena": "N’Djamena",
    "Africa/Sao_Tome": "São Tomé",
    "America/Sao_Paulo": "São Paulo",
    "America/Curacao": "Curaçao",
    "America/St_Johns": "St. John’s",
    "America/Lower_Princes": "Lower Prince’s Quarter",
    "Asia/Ust-Nera": "Ust-Nera",
    "Europe/Busingen": "Büsingen",
    "Europe/Chisinau": "Chișinău",
    "America/Asuncion": "Asunción",
    "America/Bogota": "Bogotá",
    "America/Merida": "Mérida",
    "America/Cancun": "Cancún",
    "America/Ciudad_Juarez": "Ciudad Juárez",
    "Pacific/Galapagos": "Galápagos",
    "Pacific/Easter": "Easter Island",
    "Atlantic/South_Georgia": "South Georgia",
    "Atlantic/St_Helena": "Saint Helena",
    "America/St_Kitts": "Saint Kitts",
    "America/St_Lucia": "Saint Lucia",
    "America/St_Thomas": "Saint Thomas",
    "America/St_Vincent": "Saint Vincent",
    "Indian/Christmas": "Christmas Island",
    "Indian/Cocos": "Cocos Islands",
    "Atlantic/Canary": "Canary Islands",
    "Atlantic/Faroe": "Faroe Islands",
    "Indian/Comoro": "Comoros",
    "Indian/Mahe": "Mahé",
    "Asia/Kolkata": "Kolkata",
    "America/Argentina/Buenos_Aires": "Buenos Aires",
}

# Places whose French name differs: name, or (name, form after "heure").
FRENCH_NAMES = {
    "Africa/Addis_Ababa": "Addis-Abeba",
    "Africa/Algiers": "Alger",
    "Africa/Cairo": ("Le Caire", "du Caire"),
    "Africa/Dar_es_Salaam": "Dar es Salam",
    "Africa/El_Aaiun": "Laâyoune",
    "Africa/Lome": "Lomé",
    "Africa/Mogadishu": "Mogadiscio",
    "Africa/Ndjamena": "N’Djaména",
    "Africa/Sao_Tome": "São Tomé",
    "Africa/Tripoli": "Tripoli",
    "America/Argentina/Buenos_Aires": "Buenos Aires",
    "America/Asuncion": "Asunción",
    "America/Barbados": ("Barbade", "de la Barbade"),
    "America/Belem": "Belém",
    "America/Bogota": "Bogota",
    "America/Cayman": ("îles Caïmans", "des îles Caïmans"),
    "America/Curacao": "Curaçao",
    "America/Dominica": ("Dominique", "de la Dominique"),
    "America/El_Salvador": ("Salvador", "du Salvador"),
    "America/Grenada": ("Grenade", "de la Grenade"),
    "America/Guatemala": "Guatemala",
    "America/Guyana": ("Guyana", "du Guyana"),
    "America/Havana": ("La Havane", "de La Havane"),
    "America/Jamaica": ("Jamaïque", "de la Jamaïque"),
    "America/Mexico_City": "Mexico",
    "America/Nuuk": "Nuuk",
    "America/Panama": "Panama",
    "America/Puerto_Rico": "Porto Rico",
    "America/Santo_Domingo": "Saint-Domingue",
    "America/Sao_Paulo": "São Paulo",
    "America/St_Johns": "Saint-Jean de Terre-Neuve",
    "America/St_Kitts": "Saint-Christophe",
    "America/St_Lucia": "Sainte-Lucie",
    "America/St_Thomas": "Saint-Thomas",
    "America/St_Vincent": "Saint-Vincent",
    "America/Costa_Rica": ("Costa Rica", "du Costa Rica"),
    "America/Montevideo": "Montevideo",
    "Antarctica/DumontDUrville": "Dumont-d’Urville",
    "Arctic/Longyearbyen": "Longyearbyen",
    "Asia/Almaty": "Almaty",
    "Asia/Ashgabat": "Achgabat",
    "Asia/Baghdad": "Bagdad",
    "Asia/Bahrain": ("Bahreïn", "de Bahreïn"),
    "Asia/Baku": "Bakou",
    "Asia/Beirut": "Beyrouth",
    "Asia/Bishkek": "Bichkek",
    "Asia/Brunei": ("Brunei", "du Brunei"),
    "Asia/Chita": "Tchita",
    "Asia/Damascus": "Damas",
    "Asia/Dhaka": "Dacca",
    "Asia/Dubai": "Dubaï",
    "Asia/Dushanbe": "Douchanbé",
    "Asia/Hebron": "Hébron",
    "Asia/Ho_Chi_Minh": "Hô Chi Minh-Ville",
    "Asia/Hong_Kong": "Hong Kong",
    "Asia/Irkutsk": "Irkoutsk",
    "Asia/Jerusalem": "Jérusalem",
    "Asia/Kabul": "Kaboul",
    "Asia/Kamchatka": ("Kamtchatka", "du Kamtchatka"),
    "Asia/Kathmandu": "Katmandou",
    "Asia/Kolkata": "Calcutta",
    "Asia/Kuwait": ("Koweït", "du Koweït"),
    "Asia/Macau": "Macao",
    "Asia/Manila": "Manille",
    "Asia/Muscat": "Mascate",
    "Asia/Nicosia": "Nicosie",
    "Asia/Phnom_Penh": "Phnom Penh",
    "Asia/Pyongyang": "Pyongyang",
    "Asia/Qatar": ("Qatar", "du Qatar"),
    "Asia/Riyadh": "Riyad",
    "Asia/Sakhalin": ("Sakhaline", "de Sakhaline"),
    "Asia/Samarkand": "Samarcande",
    "Asia/Seoul": "Séoul",
    "Asia/Singapore": "Singapour",
    "Asia/Tashkent": "Tachkent",
    "Asia/Tbilisi": "Tbilissi",
    "Asia/Tehran": "Téhéran",
    "Asia/Thimphu": "Thimphou",
    "Asia/Ulaanbaatar": "Oulan-Bator",
    "Asia/Yakutsk": "Iakoutsk",
    "Asia/Yangon": "Rangoun",
    "Asia/Yekaterinburg": "Iekaterinbourg",
    "Asia/Yerevan": "Erevan",
    "Atlantic/Azores": ("Açores", "des Açores"),
    "Atlantic/Bermuda": ("Bermudes", "des Bermudes"),
    "Atlantic/Canary": ("Canaries", "des Canaries"),
    "Atlantic/Cape_Verde": ("Cap-Vert", "du Cap-Vert"),
    "Atlantic/Faroe": ("Féroé", "des Féroé"),
    "Atlantic/Madeira": "Madère",
    "Atlantic/South_Georgia": ("Géorgie du Sud", "de la Géorgie du Sud"),
    "Atlantic/St_Helena": "Sainte-Hélène",
    "Atlantic/Stanley": "Stanley",
    "Europe/Andorra": ("Andorre", "d’Andorre"),
    "Europe/Athens": "Athènes",
    "Europe/Brussels": "Bruxelles",
    "Europe/Bucharest": "Bucarest",
    "Europe/Busingen": "Büsingen",
    "Europe/Chisinau": "Chișinău",
    "Europe/Copenhagen": "Copenhague",
    "Europe/Guernsey": "Guernesey",
    "Europe/Isle_of_Man": ("île de Man", "de l’île de Man"),
    "Europe/Kyiv": "Kyiv",
    "Europe/Lisbon": "Lisbonne",
    "Europe/London": "Londres",
    "Europe/Malta": ("Malte", "de Malte"),
    "Europe/Moscow": "Moscou",
    "Europe/Prague": "Prague",
    "Europe/San_Marino": "Saint-Marin",
    "Europe/Tirane": "Tirana",
    "Europe/Ulyanovsk": "Oulianovsk",
    "Europe/Vatican": ("Vatican", "du Vatican"),
    "Europe/Vienna": "Vienne",
    "Europe/Warsaw": "Varsovie",
    "Europe/Zurich": "Zurich",
    "Indian/Chagos": ("Chagos", "des Chagos"),
    "Indian/Christmas": ("île Christmas", "de l’île Christmas"),
    "Indian/Cocos": ("îles Cocos", "des îles Cocos"),
    "Indian/Comoro": ("Comores", "des Comores"),
    "Indian/Mahe": "Mahé",
    "Indian/Maldives": ("Maldives", "des Maldives"),
    "Indian/Mauritius": ("Maurice", "de Maurice"),
    "Pacific/Easter": ("île de Pâques", "de l’île de Pâques"),
    "Pacific/Efate": "Efaté",
    "Pacific/Fiji": ("Fidji", "des Fidji"),
    "Pacific/Galapagos": ("Galápagos", "des Galápagos"),
    "Pacific/Guam": "Guam",
    "Pacific/Palau": ("Palaos", "des Palaos"),
    "Pacific/Pitcairn": ("Pitcairn", "des îles Pitcairn"),
}

# The sub-regions of some identifiers, in French.
FRENCH_SUBREGIONS = {
    "Argentina": "Argentine",
    "Indiana": "Indiana",
    "Kentucky": "Kentucky",
    "North Dakota": "Dakota du Nord",
}

VOWELS = "AEIOUYÉÈÊÂÎÔÛÀaeiouyéèêâîôûàHh"


def french_of(name):
    """The form of a French place name after "heure": de Paris, d’Oslo."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[0] in VOWELS:
        return "d’" + name
    return "de " + name


def place(zone):
    parts = zone.split("/")
    city = parts[-1].replace("_", " ")
    sub = parts[1].replace("_", " ") if len(parts) == 3 else None
    return city, sub


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/zoneinfo/zone.tab"
    zones = set()
    with open(path, encoding="utf-8") as tab:
        for line in tab:
            if line.startswith("#") or not line.strip():
                continue
            zones.add(line.rstrip("\n").split("\t")[2])
    zones.update(FRENCH)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["zone", "en", "fr", "fr_of", "en_label", "fr_label"])
    for zone in FRENCH_ORDER:
        en_label, fr_label, en, fr = FRENCH[zone]
        out.writerow([zone, en, fr, FRENCH_OF.get(zone, french_of(fr)), en_label, fr_label])
    for zone in sorted(zones - set(FRENCH)):
        city, sub = place(zone)
        en = ENGLISH.get(zone, city)
        fr = FRENCH_NAMES.get(zone, ENGLISH.get(zone, city))
        fr, fr_of = fr if isinstance(fr, tuple) else (fr, french_of(fr))
        if sub and zone != "America/Argentina/Buenos_Aires":
            en = f"{en} ({sub})"
            fr_sub = FRENCH_SUBREGIONS.get(sub, sub)
            fr_of = f"{fr_of} ({fr_sub})"
            fr = f"{fr} ({fr_sub})"
        out.writerow([zone, en, fr, fr_of, "", ""])


if __name__ == "__main__":
    main()
