#!/usr/bin/env python3
"""Builds data/languages.csv: the ISO 639-1 codes with their English and
French names, read from Debian's iso-codes package (4.15.0: the ISO 639-2
table, which gives each language its two-letter code, and its French
translation). Run from the repository root:

    python3 tools/languages/build_languages.py > data/languages.csv
"""
import csv
import gettext
import json
import re
import sys

TABLE = '/usr/share/iso-codes/json/iso_639-2.json'

rows = [r for r in json.load(open(TABLE, encoding='utf-8'))['639-2'] if 'alpha_2' in r]
french = gettext.translation('iso_639-2', '/usr/share/locale', languages=['fr'])
out = csv.writer(sys.stdout, lineterminator='\n')
out.writerow(['code', 'en', 'fr'])
# Where the table's first name is not the one a teacher would write.
OVERRIDES = {
    'el': ('Greek', 'grec'),
    'es': ('Spanish', 'espagnol'),
    'ca': ('Catalan', 'catalan'),
    'nl': ('Dutch', 'néerlandais'),
    'gd': ('Scottish Gaelic', 'gaélique écossais'),
    'ht': ('Haitian Creole', 'créole haïtien'),
    'km': ('Khmer', 'khmer'),
    'nb': ('Norwegian Bokmål', 'norvégien bokmål'),
    'nd': ('North Ndebele', 'ndébélé du Nord'),
    'nr': ('South Ndebele', 'ndébélé du Sud'),
    'st': ('Southern Sotho', 'sotho du Sud'),
    'uz': ('Uzbek', 'ouzbek'),
}


def plain(name):
    # "Occitan (post 1500)" → "Occitan"; "Greek, Modern" handled above.
    return re.sub(r'\s*\([^)]*\)', '', name).strip()


for row in sorted(rows, key=lambda r: r['alpha_2']):
    if row['alpha_2'] in OVERRIDES:
        english, fr = OVERRIDES[row['alpha_2']]
        out.writerow([row['alpha_2'], english, fr])
        continue
    # Names as written inside a sentence: "français, anglais" / "French, English".
    english = plain(row.get('common_name', row['name']).split(';')[0])
    fr = plain(french.gettext(row['name']).split(';')[0])
    out.writerow([row['alpha_2'], english, fr[:1].lower() + fr[1:]])
