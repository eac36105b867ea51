"""Write the bytes of the feed compatibility corpus in ``feeds/``.

The truth for every file (Content-Type to serve it with, and for each item the title a
reader should see, the link and the publication instant in UTC) lives in ``cases.yaml``,
written by hand. This script only writes bytes: each feed is spelled out literally below,
encoded with the codec named next to it, and written unchanged. It must regenerate
byte-identical files; run it from anywhere with ``python tests/data/compat/make_feeds.py``.

Nothing here parses or decodes a feed, and nothing under ``bot/`` or ``storage/`` is used.
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent / "feeds"

UTF8_PROLOG = '<?xml version="1.0" encoding="utf-8"?>\n'

FEEDS: dict[str, bytes] = {}


def item(title: str, link: str, date: str | None, desc: str) -> str:
    """One RSS 2.0 / 0.91 item; every argument is inserted verbatim (already escaped)."""
    date_line = f"      <pubDate>{date}</pubDate>\n" if date is not None else ""
    return (
        "    <item>\n"
        f"      <title>{title}</title>\n"
        f"      <link>{link}</link>\n"
        f"      <description>{desc}</description>\n"
        f"{date_line}"
        "    </item>\n"
    )


def rss(
    title: str,
    link: str,
    desc: str,
    items: list[str],
    *,
    prolog: str = UTF8_PROLOG,
    doctype: str = "",
    lang: str = "en",
    version: str = "2.0",
) -> str:
    """An RSS document around ``items``; ``prolog`` and ``doctype`` are verbatim text."""
    return (
        f"{prolog}{doctype}"
        f'<rss version="{version}">\n'
        "  <channel>\n"
        f"    <title>{title}</title>\n"
        f"    <link>{link}</link>\n"
        f"    <description>{desc}</description>\n"
        f"    <language>{lang}</language>\n"
        f"{''.join(items)}"
        "  </channel>\n"
        "</rss>\n"
    )


def add(name: str, data: bytes) -> None:
    assert name not in FEEDS, name
    FEEDS[name] = data


# ---------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------

# 1. windows-1252, no charset anywhere (no encoding in the prolog, none in the header).
add(
    "enc-cp1252-undeclared.xml",
    rss(
        "Alpine Business Wire",
        "https://example.eu/cp1252/",
        "Business news from Switzerland and France",
        [
            item(
                "Zürich court upholds asset freeze under sanctions on Russia",
                "https://example.eu/cp1252/2026/12/zurich-court-asset-freeze",
                "Wed, 02 Dec 2026 08:10:00 +0100",
                "The Zürich cantonal court rejected an appeal by a holding company "
                "controlled by a Russian businessman. Its accounts stay frozen under "
                "Swiss sanctions on Russia.",
            ),
            item(
                "Société Générale completes Russia sanctions review at Genève branch",
                "https://example.eu/cp1252/2026/12/socgen-geneve-review",
                "Tue, 01 Dec 2026 17:45:00 +0100",
                "The French bank said its review of private clients in Genève found "
                "no breach of sanctions on Russia.",
            ),
            item(
                "Sanctions on Russia à la carte? Commission’s €2 bn exemption plan draws fire",
                "https://example.eu/cp1252/2026/11/commission-exemption-plan",
                "Mon, 30 Nov 2026 12:00:00 +0100",
                "Several member states criticised a proposal to exempt €2 bn of "
                "fertiliser trade from the next sanctions package on Russia.",
            ),
        ],
        prolog='<?xml version="1.0"?>\n',
    ).encode("cp1252"),
)

# 2. ISO-8859-1 bytes; the header will claim utf-8; no encoding in the prolog.
add(
    "enc-latin1-header-utf8.xml",
    rss(
        "Mitteleuropa Nachrichten",
        "https://example.eu/latin1/",
        "Nachrichten aus Wien, Köln und Liège",
        [
            item(
                "Außenministerium in Wien: Austria backs next sanctions package on Russia",
                "https://example.eu/latin1/2026/12/wien-sanctions-package",
                "Wed, 02 Dec 2026 09:20:00 +0100",
                "Austria will not block the next EU sanctions package on Russia, the "
                "foreign ministry in Vienna said on Wednesday.",
            ),
            item(
                "Sanctions on Russia: exporters in Düsseldorf and Köln report fewer "
                "grey-trade cases, Zollämter say",
                "https://example.eu/latin1/2026/12/zollaemter-grey-trade",
                "Tue, 01 Dec 2026 14:05:00 +0100",
                "German customs offices recorded fewer attempts to re-export "
                "machinery to Russia through third countries, a sign that sanctions "
                "on Russia are better enforced.",
            ),
            item(
                "Sanctions on Belarus: Liège trader charged over potash, according to "
                "parquet fédéral",
                "https://example.eu/latin1/2026/11/liege-potash-trader",
                "Mon, 30 Nov 2026 16:30:00 +0100",
                "Belgian federal prosecutors charged a Liège trading house with "
                "importing Belarusian potash in breach of EU sanctions on Belarus.",
            ),
        ],
        prolog='<?xml version="1.0"?>\n',
    ).encode("iso-8859-1"),
)

# 3. koi8-r bytes declared in the prolog; the header will claim utf-8.
add(
    "enc-koi8r-declared-header-utf8.xml",
    rss(
        "Лента новостей (KOI8-R)",
        "https://wire.example.ru/koi8/",
        "Новости внешней политики",
        [
            item(
                "Евросоюз обсуждает новый пакет санкций против России",
                "https://wire.example.ru/koi8/2026/12/02/es-paket-sankcij",
                "Wed, 02 Dec 2026 11:00:00 +0300",
                "Постпреды стран ЕС в Брюсселе обсудили проект нового пакета санкций "
                "против России. Решение ожидается до конца месяца.",
            ),
            item(
                "Лавров: санкции против России ещё никогда не достигали цели",
                "https://wire.example.ru/koi8/2026/12/01/lavrov-sankcii",
                "Tue, 01 Dec 2026 15:40:00 +0300",
                "Министр иностранных дел заявил, что санкции против России лишь "
                "ускорили переориентацию торговли на Азию.",
            ),
        ],
        prolog='<?xml version="1.0" encoding="koi8-r"?>\n',
        lang="ru",
    ).encode("koi8_r"),
)

# 4. gb2312 bytes declared in the prolog; the header will claim utf-8.
add(
    "enc-gb2312-declared-header-utf8.xml",
    rss(
        "Eurasia Trade Monitor 欧亚贸易",
        "https://news.example.kz/gb2312/",
        "Trade and sanctions news 贸易与制裁新闻",
        [
            item(
                "EU sanctions on Russia: 欧盟对俄罗斯制裁",
                "https://news.example.kz/gb2312/2026/12/eu-sanctions-russia",
                "Wed, 02 Dec 2026 06:30:00 +0000",
                "EU sanctions on Russia now cover more dual-use goods. "
                "欧盟扩大了对俄罗斯的制裁范围。",
            ),
            item(
                "Sanctions on Russia slow border trade via Harbin: 中俄边境贸易",
                "https://news.example.kz/gb2312/2026/11/harbin-border-trade",
                "Mon, 30 Nov 2026 09:15:00 +0000",
                "Traders in Harbin say banks refuse payments linked to sanctions on "
                "Russia. 哈尔滨的贸易商表示银行拒绝付款。",
            ),
        ],
        prolog='<?xml version="1.0" encoding="gb2312"?>\n',
    ).encode("gb2312"),
)

# 5. UTF-32 big-endian with a byte order mark.
add(
    "enc-utf32be-bom.xml",
    (
        "\ufeff"
        + rss(
            "Bilingual Wire (UTF-32BE)",
            "https://news.example.kz/utf32be/",
            "Новости на русском и английском",
            [
                item(
                    "ОДКБ проведёт учения в Таджикистане / CSTO to hold drills in Tajikistan",
                    "https://news.example.kz/utf32be/2026/12/csto-drills-tajikistan",
                    "Wed, 02 Dec 2026 05:00:00 +0000",
                    "Учения ОДКБ пройдут весной на полигоне под Душанбе. The CSTO "
                    "said about 2,000 troops would take part.",
                ),
                item(
                    "EU extends sanctions on Belarus / ЕС продлил санкции против Белоруссии",
                    "https://news.example.kz/utf32be/2026/11/eu-extends-belarus-sanctions",
                    "Sun, 29 Nov 2026 13:20:00 +0000",
                    "The EU extended its sanctions on Belarus for another year. "
                    "Санкции против Белоруссии продлены до февраля 2028 года.",
                ),
            ],
            prolog='<?xml version="1.0" encoding="UTF-32"?>\n',
        )
    ).encode("utf-32-be"),
)

# 6. UTF-32 little-endian with a byte order mark.
add(
    "enc-utf32le-bom.xml",
    (
        "\ufeff"
        + rss(
            "Bilingual Wire (UTF-32LE)",
            "https://news.example.kz/utf32le/",
            "Новости на русском и английском",
            [
                item(
                    "Tuvalu reaffirms it does not recognise Abkhazia / Тувалу не признаёт Абхазию",
                    "https://news.example.kz/utf32le/2026/12/tuvalu-abkhazia",
                    "Tue, 01 Dec 2026 22:10:00 +0000",
                    "Tuvalu said it does not recognise Abkhazia as a state and supports "
                    "the territorial integrity of Georgia.",
                ),
                item(
                    "Санкции против России: Japan adds 40 firms to Russia sanctions list",
                    "https://news.example.kz/utf32le/2026/11/japan-40-firms",
                    "Mon, 30 Nov 2026 03:00:00 +0000",
                    "Япония расширила санкции против России. Tokyo listed 40 more "
                    "companies accused of supplying Russia's military.",
                ),
            ],
            prolog='<?xml version="1.0" encoding="UTF-32"?>\n',
        )
    ).encode("utf-32-le"),
)

# 7. UTF-16 little-endian with a byte order mark, prolog encoding="utf-16".
add(
    "enc-utf16le-bom.xml",
    (
        "\ufeff"
        + rss(
            "Bilingual Wire (UTF-16LE)",
            "https://news.example.kz/utf16le/",
            "Новости на русском и английском",
            [
                item(
                    "Kyrgyzstan to host CSTO summit — Бишкек примет саммит ОДКБ",
                    "https://news.example.kz/utf16le/2026/12/bishkek-csto-summit",
                    "Wed, 02 Dec 2026 04:45:00 +0000",
                    "Kyrgyzstan will host the next CSTO summit. Саммит ОДКБ пройдёт в "
                    "Бишкеке в ноябре 2027 года.",
                ),
                item(
                    "Белград не признает ДНР и ЛНР — Serbia does not recognise the DPR and LPR",
                    "https://news.example.kz/utf16le/2026/11/serbia-dpr-lpr",
                    "Sat, 28 Nov 2026 10:30:00 +0000",
                    "Сербия не признает ДНР и ЛНР, заявили в МИД Сербии. Belgrade said "
                    "it backs Ukraine's territorial integrity.",
                ),
            ],
            prolog='<?xml version="1.0" encoding="utf-16"?>\n',
        )
    ).encode("utf-16-le"),
)

# 8. UTF-16 big-endian with a byte order mark.
add(
    "enc-utf16be-bom.xml",
    (
        "\ufeff"
        + rss(
            "Bilingual Wire (UTF-16BE)",
            "https://news.example.kz/utf16be/",
            "Новости на русском и английском",
            [
                item(
                    "Crimea annexation not recognised, G7 ministers say — аннексия Крыма",
                    "https://news.example.kz/utf16be/2026/12/g7-crimea",
                    "Tue, 01 Dec 2026 19:00:00 +0000",
                    "G7 foreign ministers said the annexation of Crimea is not "
                    "recognised. Министры G7 не признают аннексию Крыма.",
                ),
                item(
                    "Новые санкции против России вступили в силу / "
                    "New sanctions on Russia take effect",
                    "https://news.example.kz/utf16be/2026/11/new-sanctions-in-force",
                    "Fri, 27 Nov 2026 00:01:00 +0000",
                    "Новые санкции против России вступили в силу в пятницу. The "
                    "measures target banks and metals exporters.",
                ),
            ],
            prolog='<?xml version="1.0" encoding="UTF-16"?>\n',
        )
    ).encode("utf-16-be"),
)

# 9. UTF-8 with a byte order mark; header charset=utf-8.
add(
    "enc-utf8-bom.xml",
    (
        "\ufeff"
        + rss(
            "Лента Центральной Азии",
            "https://news.example.kz/utf8bom/",
            "Новости Казахстана и Армении",
            [
                item(
                    "Астана соблюдает режим санкций против России, заявили в МИД Казахстана",
                    "https://news.example.kz/utf8bom/2026/12/astana-sankcii",
                    "Wed, 02 Dec 2026 07:30:00 +0500",
                    "В МИД Казахстана заявили, что страна не допустит использования "
                    "своей территории для обхода санкций против России.",
                ),
                item(
                    "CSTO secretary general visits Yerevan amid freeze — генсек ОДКБ в Ереване",
                    "https://news.example.kz/utf8bom/2026/11/csto-yerevan-visit",
                    "Mon, 30 Nov 2026 11:00:00 +0400",
                    "The CSTO secretary general met Armenian officials in Yerevan. "
                    "Армения заморозила участие в ОДКБ в 2024 году.",
                ),
            ],
        )
    ).encode("utf-8"),
)

# 10. windows-1251 bytes, no declaration anywhere (prolog without encoding, header without charset).
add(
    "enc-cp1251-undeclared.xml",
    rss(
        "Минская лента",
        "https://wire.example.ru/cp1251-undeclared/",
        "Новости Белоруссии",
        [
            item(
                "Минск ответит на новые санкции против России и Белоруссии «зеркально»",
                "https://wire.example.ru/cp1251-undeclared/2026/12/minsk-otvet",
                "Wed, 02 Dec 2026 09:00:00 +0300",
                "В МИД Белоруссии пообещали зеркальный ответ на новые санкции против "
                "России и Белоруссии.",
            ),
            item(
                "ОДКБ подвела итоги учений «Взаимодействие-2026» — Минобороны",
                "https://wire.example.ru/cp1251-undeclared/2026/11/odkb-itogi-uchenij",
                "Sun, 29 Nov 2026 18:20:00 +0300",
                "Учения ОДКБ прошли на полигонах Белоруссии. В них участвовали "
                "военные пяти государств.",
            ),
        ],
        prolog='<?xml version="1.0"?>\n',
        lang="ru",
    ).encode("cp1251"),
)

# 11. windows-1251 bytes declared in the prolog; header without charset.
add(
    "enc-cp1251-declared.xml",
    rss(
        "Лента новостей (windows-1251)",
        "https://wire.example.ru/cp1251-declared/",
        "Новости экономики и политики",
        [
            item(
                "Правительство продлило ответные меры на санкции против России до 2027 года",
                "https://wire.example.ru/cp1251-declared/2026/12/otvetnye-mery",
                "Tue, 01 Dec 2026 12:30:00 +0300",
                "Правительство продлило продуктовое эмбарго, введенное в ответ на "
                "санкции против России.",
            ),
            item(
                "Молдавия не признает ДНР и ЛНР, заявили в Кишиневе",
                "https://wire.example.ru/cp1251-declared/2026/11/moldaviya-dnr-lnr",
                "Fri, 27 Nov 2026 16:00:00 +0300",
                "Правительство Молдавии заявило, что Кишинев не признает ДНР и ЛНР "
                "и выданные ими документы.",
            ),
        ],
        prolog='<?xml version="1.0" encoding="windows-1251"?>\n',
        lang="ru",
    ).encode("cp1251"),
)

# 12. UTF-8, one invalid byte (0xFF) in a description; titles are clean.
add(
    "enc-utf8-one-invalid-byte.xml",
    rss(
        "Балтийская лента",
        "https://wire.example.ru/invalid-byte/",
        "Новости Балтики",
        [
            item(
                "Эстония задержала танкер теневого флота, обходящий санкции против России",
                "https://wire.example.ru/invalid-byte/2026/12/estoniya-tanker",
                "Wed, 02 Dec 2026 06:50:00 +0300",
                "Пограничники Эстонии задержали танкер, который, по их данным, "
                "перевозил нефть в обход санкций против России.",
            ),
            item(
                "ОДКБ направит наблюдателей на выборы в Киргизии",
                "https://wire.example.ru/invalid-byte/2026/11/odkb-nablyudateli",
                "Mon, 30 Nov 2026 10:10:00 +0300",
                "Миссия наблюдателей ОДКБ@BAD@ прибудет в Бишкек за неделю до голосования.",
            ),
        ],
        lang="ru",
    )
    .encode("utf-8")
    .replace(b"@BAD@", b"\xff"),
)

# 13. UTF-8 bytes, but the prolog says windows-1251 (a real misconfiguration); no header charset.
add(
    "enc-utf8-declared-cp1251.xml",
    rss(
        "Лента новостей (ошибка кодировки)",
        "https://wire.example.ru/utf8-as-cp1251/",
        "Новости Европы",
        [
            item(
                "Совет ЕС утвердил двадцать второй пакет санкций против России",
                "https://wire.example.ru/utf8-as-cp1251/2026/12/sovet-es-paket",
                "Wed, 02 Dec 2026 10:30:00 +0300",
                "Совет ЕС утвердил новый пакет санкций против России, в него вошли "
                "ограничения на импорт алюминия.",
            ),
            item(
                "Бельгия не признает ДНР и ЛНР, напомнил министр иностранных дел",
                "https://wire.example.ru/utf8-as-cp1251/2026/11/belgiya-dnr-lnr",
                "Sat, 28 Nov 2026 13:45:00 +0300",
                "Министр иностранных дел Бельгии заявил, что Брюссель не признает ДНР "
                "и ЛНР и поддерживает территориальную целостность Украины.",
            ),
        ],
        prolog='<?xml version="1.0" encoding="windows-1251"?>\n',
        lang="ru",
    ).encode("utf-8"),
)

# 14. windows-1250 bytes declared in the prolog (Polish and Czech); no header charset.
add(
    "enc-cp1250-declared.xml",
    rss(
        "Central Europe Wire",
        "https://example.eu/cp1250/",
        "Wiadomości z Polski i Czech",
        [
            item(
                "Poland backs new EU sanctions on Russia: „Sankcje działają”",
                "https://example.eu/cp1250/2026/12/poland-sankcje-dzialaja",
                "Wed, 02 Dec 2026 08:40:00 +0100",
                "Polish diplomats said the new EU sanctions on Russia should also "
                "cover liquefied gas. Minister: „Sankcje wobec Rosji działają”.",
            ),
            item(
                "Czech minister wants stricter sanctions on Russia: "
                "„Přísnější sankce jsou nezbytné“",
                "https://example.eu/cp1250/2026/11/czech-prisnejsi-sankce",
                "Sat, 28 Nov 2026 15:15:00 +0100",
                "The Czech foreign minister called for stricter sanctions on Russia, "
                "including a ban on Russian diamonds. „Sankce proti Rusku fungují“.",
            ),
        ],
        prolog='<?xml version="1.0" encoding="windows-1250"?>\n',
    ).encode("cp1250"),
)

# 15. ISO-8859-5 bytes declared in the prolog (Russian); no header charset.
add(
    "enc-iso8859-5-declared.xml",
    rss(
        "Лента новостей (ISO-8859-5)",
        "https://wire.example.ru/iso8859-5/",
        "Новости Азии",
        [
            item(
                "Япония ввела новые санкции против России в отношении экспорта станков",
                "https://wire.example.ru/iso8859-5/2026/12/yaponiya-stanki",
                "Tue, 01 Dec 2026 08:00:00 +0300",
                "Правительство Японии ввело новые санкции против России, запретив "
                "экспорт станков с ЧПУ.",
            ),
            item(
                "Генсек ОДКБ провёл переговоры в Душанбе",
                "https://wire.example.ru/iso8859-5/2026/11/gensek-odkb-dushanbe",
                "Thu, 26 Nov 2026 14:00:00 +0300",
                "Генеральный секретарь ОДКБ обсудил в Душанбе охрану таджикско-афганской границы.",
            ),
        ],
        prolog='<?xml version="1.0" encoding="iso-8859-5"?>\n',
        lang="ru",
    ).encode("iso8859_5"),
)

# 16. UTF-8 bytes with prolog utf-8, served as text/html; charset=windows-1251.
add(
    "enc-utf8-served-as-html-cp1251.xml",
    rss(
        "Лента новостей (text/html)",
        "https://wire.example.ru/served-as-html/",
        "Новости Канады и ОДКБ",
        [
            item(
                "Канада расширила санкции против России на 30 физических лиц",
                "https://wire.example.ru/served-as-html/2026/12/kanada-30-lic",
                "Wed, 02 Dec 2026 02:15:00 +0300",
                "Оттава расширила санкции против России, внеся в список 30 человек, "
                "связанных с оборонной промышленностью.",
            ),
            item(
                "Совет коллективной безопасности ОДКБ соберется в Москве",
                "https://wire.example.ru/served-as-html/2026/11/skb-odkb-moskva",
                "Fri, 27 Nov 2026 11:25:00 +0300",
                "Заседание Совета коллективной безопасности ОДКБ пройдет в Москве в декабре.",
            ),
        ],
        lang="ru",
    ).encode("utf-8"),
)

# ---------------------------------------------------------------------------------------
# DTD and entities
# ---------------------------------------------------------------------------------------

# 17. Internal DTD declaring nbsp as a character reference.
add(
    "dtd-internal-nbsp.xml",
    rss(
        "Example Wire: Europe",
        "https://example.eu/dtd-nbsp/",
        "European policy news",
        [
            item(
                "EU&nbsp;sanctions on Russia: 22nd package targets LNG transshipment",
                "https://example.eu/dtd-nbsp/2026/12/22nd-package-lng",
                "Wed, 02 Dec 2026 07:05:00 +0000",
                "The 22nd package of EU sanctions on Russia bans the transshipment "
                "of Russian LNG through EU ports.",
            ),
            item(
                "CSTO&nbsp;chiefs of staff meet in Minsk",
                "https://example.eu/dtd-nbsp/2026/11/csto-chiefs-minsk",
                "Thu, 26 Nov 2026 12:40:00 +0000",
                "Chiefs of general staff of the CSTO member states discussed joint "
                "air defence in Minsk.",
            ),
        ],
        doctype="<!DOCTYPE rss [<!ENTITY nbsp '&#160;'>]>\n",
    ).encode("utf-8"),
)

# 18. Internal DTD declaring mdash as a literal character.
add(
    "dtd-internal-mdash-literal.xml",
    rss(
        "Example Wire: Asia",
        "https://example.eu/dtd-mdash/",
        "Asia policy news",
        [
            item(
                "Sanctions on Russia &mdash; Japan freezes assets of three banks",
                "https://example.eu/dtd-mdash/2026/12/japan-three-banks",
                "Tue, 01 Dec 2026 05:30:00 +0000",
                "Japan froze the assets of three Russian banks under its sanctions on "
                "Russia, the finance ministry said.",
            ),
        ],
        doctype='<!DOCTYPE rss [<!ENTITY mdash "—">]>\n',
    ).encode("utf-8"),
)

# 19. XHTML Latin-1 entity set pulled in as an external parameter entity.
add(
    "dtd-xhtml-lat1-external.xml",
    rss(
        "Example Wire: Canada",
        "https://example.eu/dtd-xhtml-lat1/",
        "Canadian policy news",
        [
            item(
                "Sanctions on Russia: Montr&eacute;al court freezes yacht linked to oligarch",
                "https://example.eu/dtd-xhtml-lat1/2026/12/montreal-yacht",
                "Wed, 02 Dec 2026 01:20:00 +0000",
                "A court in Montreal ordered the freeze of a yacht under Canada's "
                "sanctions on Russia.",
            ),
            item(
                "Crimea annexation not recognised, Qu&eacute;bec assembly motion says",
                "https://example.eu/dtd-xhtml-lat1/2026/11/quebec-crimea-motion",
                "Fri, 27 Nov 2026 20:00:00 +0000",
                "The motion says the annexation of Crimea is not recognised and calls "
                "for continued support to Ukraine.",
            ),
        ],
        doctype=(
            "<!DOCTYPE rss [\n"
            '<!ENTITY % HTMLlat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent">\n'
            "%HTMLlat1;\n"
            "]>\n"
        ),
    ).encode("utf-8"),
)

# 20. Internal DTD declaring a short plain-string entity.
add(
    "dtd-entity-plain-string.xml",
    rss(
        "Example Wire: Security",
        "https://news.example.kz/dtd-org/",
        "Security news",
        [
            item(
                "&org; defence ministers approve 2027 drills plan",
                "https://news.example.kz/dtd-org/2026/12/drills-plan-2027",
                "Tue, 01 Dec 2026 10:00:00 +0000",
                "Defence ministers of the &org; approved the alliance's plan of joint "
                "exercises for 2027.",
            ),
            item(
                "Armenia keeps &org; membership frozen, Pashinyan says",
                "https://news.example.kz/dtd-org/2026/11/armenia-frozen",
                "Sat, 28 Nov 2026 08:30:00 +0000",
                "Armenia will not resume its participation in the &org;, its prime minister said.",
            ),
        ],
        doctype='<!DOCTYPE rss [<!ENTITY org "CSTO">]>\n',
    ).encode("utf-8"),
)

# 21. The Netscape RSS 0.91 DOCTYPE with rss version 0.91 (items carry no dates in 0.91).
add(
    "dtd-netscape-rss091.xml",
    rss(
        "Example Wire 0.91",
        "https://example.eu/rss091/",
        "European news in RSS 0.91",
        [
            item(
                "Sanctions on Belarus extended by EU for another year",
                "https://example.eu/rss091/2026/11/belarus-sanctions-extended",
                None,
                "EU governments extended sanctions on Belarus until February 2028.",
            ),
            item(
                "EU envoy: no recognition for Abkhazia and South Ossetia polls",
                "https://example.eu/rss091/2026/11/abkhazia-south-ossetia-polls",
                None,
                "The EU special representative said votes held in Abkhazia and South "
                "Ossetia will not be recognised.",
            ),
        ],
        doctype=(
            '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
            '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        ),
        version="0.91",
    ).encode("utf-8"),
)

# 22. HTML entities used with no DTD at all (not well-formed XML).
add(
    "html-entities-undeclared.xml",
    rss(
        "Лента новостей (HTML-сущности)",
        "https://wire.example.ru/html-entities/",
        "Новости безопасности",
        [
            item(
                "ОДКБ: учения &laquo;Эшелон-2026&raquo; начнутся в Казахстане",
                "https://wire.example.ru/html-entities/2026/12/eshelon-2026",
                "Wed, 02 Dec 2026 08:00:00 +0300",
                "Учения ОДКБ по материально-техническому обеспечению начнутся в "
                "Казахстане в понедельник.",
            ),
            item(
                "EU&nbsp;sanctions on Russia: shipping firms in Cyprus fined",
                "https://wire.example.ru/html-entities/2026/11/cyprus-shipping-fined",
                "Mon, 30 Nov 2026 15:00:00 +0300",
                "Cypriot authorities fined two shipping firms for breaching EU "
                "sanctions on Russia.",
            ),
            item(
                "Франция не признает ДНР и ЛНР&nbsp;&mdash; резолюция Сената",
                "https://wire.example.ru/html-entities/2026/11/franciya-dnr-lnr",
                "Thu, 26 Nov 2026 19:30:00 +0300",
                "Сенат Франции принял резолюцию, в которой говорится, что Франция не "
                "признает ДНР и ЛНР.",
            ),
        ],
        lang="ru",
    ).encode("utf-8"),
)

# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------

# 23. RFC 822 dates with named US zones.
add(
    "date-rfc822-us-zones.xml",
    rss(
        "Example Wire: Americas",
        "https://example.eu/us-zones/",
        "Americas news",
        [
            item(
                "Washington adds 50 entities to Russia sanctions list",
                "https://example.eu/us-zones/2026/12/washington-50-entities",
                "Tue, 01 Dec 2026 09:30:00 EST",
                "The Treasury added 50 companies and people to its Russia sanctions "
                "list, most of them in third countries.",
            ),
            item(
                "California port authority checks cargo against sanctions on Russia",
                "https://example.eu/us-zones/2026/11/california-port-checks",
                "Mon, 30 Nov 2026 16:45:00 PDT",
                "Port officials in Long Beach began screening manifests for goods "
                "covered by sanctions on Russia.",
            ),
        ],
    ).encode("utf-8"),
)

# 24. The MSK zone name.
add(
    "date-msk-zone.xml",
    rss(
        "Московская лента",
        "https://wire.example.ru/msk/",
        "Новости Москвы",
        [
            item(
                "МИД России: санкции против России не изменят курс Москвы",
                "https://wire.example.ru/msk/2026/12/02/mid-kurs",
                "Wed, 02 Dec 2026 10:00:00 MSK",
                "Официальный представитель МИД заявила, что санкции против России не "
                "повлияют на внешнюю политику.",
            ),
            item(
                "CSTO foreign ministers meet in Moscow",
                "https://wire.example.ru/msk/2026/12/01/csto-ministers",
                "Tue, 01 Dec 2026 23:30:00 MSK",
                "Foreign ministers of the CSTO states met in Moscow to prepare the "
                "alliance's next summit.",
            ),
        ],
        lang="ru",
    ).encode("utf-8"),
)

# 25. CET and EET zone names.
add(
    "date-cet-eet-zones.xml",
    rss(
        "Example Wire: Nordic and Baltic",
        "https://example.eu/cet-eet/",
        "Northern Europe news",
        [
            item(
                "Brussels: new sanctions package on Russia agreed by EU ambassadors",
                "https://example.eu/cet-eet/2026/12/ambassadors-agree-package",
                "Tue, 01 Dec 2026 18:00:00 CET",
                "EU ambassadors agreed the new sanctions package on Russia, which "
                "still needs formal approval by ministers.",
            ),
            item(
                "Finland supports stricter sanctions on Russia's shadow fleet",
                "https://example.eu/cet-eet/2026/12/finland-shadow-fleet",
                "Wed, 02 Dec 2026 09:15:00 EET",
                "Helsinki wants EU sanctions on Russia to cover more tankers that "
                "pass through the Gulf of Finland.",
            ),
        ],
    ).encode("utf-8"),
)

# 26. Russian day and month abbreviations in an RFC 822 layout.
add(
    "date-russian-rfc822.xml",
    rss(
        "Лента новостей (русские даты)",
        "https://wire.example.ru/ru-rfc822/",
        "Новости",
        [
            item(
                "Швейцария присоединилась к пакету санкций против России",
                "https://wire.example.ru/ru-rfc822/2026/12/shveycariya-paket",
                "Ср, 02 дек 2026 10:00:00 +0300",
                "Федеральный совет Швейцарии присоединился к новому пакету санкций "
                "против России, принятому ЕС.",
            ),
            item(
                "Армения пропустит заседание ОДКБ в Москве",
                "https://wire.example.ru/ru-rfc822/2026/11/armeniya-odkb",
                "Пн, 30 ноя 2026 21:40:00 +0300",
                "Ереван не направит делегацию на заседание ОДКБ, сообщили в правительстве Армении.",
            ),
        ],
        lang="ru",
    ).encode("utf-8"),
)

# 27. Russian long form with an explicit offset.
add(
    "date-russian-long.xml",
    rss(
        "Лента новостей (длинные даты)",
        "https://wire.example.ru/ru-long/",
        "Новости",
        [
            item(
                "Норвегия ввела санкции против России в отношении рыболовных компаний",
                "https://wire.example.ru/ru-long/2026/12/norvegiya-ryba",
                "2 декабря 2026 г. 14:30 +0300",
                "Норвегия ввела санкции против России, запретив заход в свои порты "
                "судам двух рыболовных компаний.",
            ),
            item(
                "Казахстан не признает ДНР и ЛНР, повторили в Астане",
                "https://wire.example.ru/ru-long/2026/12/kazahstan-dnr-lnr",
                "1 декабря 2026 г. 09:05 +0300",
                "В МИД Казахстана повторили, что республика не признает ДНР и ЛНР.",
            ),
        ],
        lang="ru",
    ).encode("utf-8"),
)

# 28. Numeric European dates (day.month.year).
add(
    "date-numeric-european.xml",
    rss(
        "Лента новостей (числовые даты)",
        "https://wire.example.ru/numeric/",
        "Новости",
        [
            item(
                "Литва предложила новые санкции против России и Белоруссии",
                "https://wire.example.ru/numeric/2026/12/litva-predlozhila",
                "02.12.2026 10:00:00 +0300",
                "Вильнюс предложил включить в следующий пакет санкции против России и "
                "Белоруссии на транзит удобрений.",
            ),
            item(
                "Генштабы стран ОДКБ обсудили учения 2027 года",
                "https://wire.example.ru/numeric/2026/11/genshtaby-odkb",
                "30.11.2026 23:10:00 +0300",
                "Начальники генштабов стран ОДКБ согласовали календарь учений на 2027 год.",
            ),
        ],
        lang="ru",
    ).encode("utf-8"),
)

# 29. RFC 822 with a two-digit year and no weekday.
add(
    "date-rfc822-2digit-year.xml",
    rss(
        "Example Wire: UK",
        "https://example.eu/two-digit-year/",
        "UK news",
        [
            item(
                "UK sanctions on Russia: 15 more tankers barred from British ports",
                "https://example.eu/two-digit-year/2026/12/uk-15-tankers",
                "2 Dec 26 10:00 GMT",
                "Britain barred 15 more tankers from its ports under its sanctions on Russia.",
            ),
            item(
                "Moldova does not recognise the DPR and LPR passports, border police say",
                "https://example.eu/two-digit-year/2026/12/moldova-passports",
                "1 Dec 26 17:20 GMT",
                "Moldovan border police said the country does not recognise the DPR "
                "and LPR or the passports they issue.",
            ),
        ],
    ).encode("utf-8"),
)

# 30. Atom 1.0 with <updated> only, fractional seconds and an offset.
add(
    "date-atom-updated-fractional.xml",
    (
        UTF8_PROLOG + '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "  <title>Steppe Wire</title>\n"
        '  <link rel="alternate" href="https://news.example.kz/atom-fractional/"/>\n'
        "  <id>tag:news.example.kz,2026:atom-fractional</id>\n"
        "  <updated>2026-12-02T10:00:00.123+05:00</updated>\n"
        "  <author><name>Steppe Wire</name></author>\n"
        "  <entry>\n"
        "    <title>Kazakhstan hosts CSTO staff talks in Astana</title>\n"
        '    <link rel="alternate" href="https://news.example.kz/atom-fractional/2026/12/csto-astana-talks"/>\n'
        "    <id>tag:news.example.kz,2026:atom-fractional/1</id>\n"
        "    <updated>2026-12-02T10:00:00.123+05:00</updated>\n"
        "    <summary>Staff officers of the CSTO began two days of talks in Astana on "
        "the alliance's rapid reaction force.</summary>\n"
        "  </entry>\n"
        "  <entry>\n"
        "    <title>Canada widens sanctions on Russia over drone parts</title>\n"
        '    <link rel="alternate" href="https://news.example.kz/atom-fractional/2026/12/canada-drone-parts"/>\n'
        "    <id>tag:news.example.kz,2026:atom-fractional/2</id>\n"
        "    <updated>2026-12-01T18:45:30.5-05:00</updated>\n"
        "    <summary>Canada added suppliers of drone components to its sanctions on "
        "Russia.</summary>\n"
        "  </entry>\n"
        "</feed>\n"
    ).encode("utf-8"),
)

# 31. RSS 1.0 (RDF) with dc:date.
add(
    "rdf-dc-date.xml",
    (
        UTF8_PROLOG + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns="http://purl.org/rss/1.0/"\n'
        '         xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        '  <channel rdf:about="https://example.eu/rdf-dc-date/">\n'
        "    <title>Example Wire (RSS 1.0)</title>\n"
        "    <link>https://example.eu/rdf-dc-date/</link>\n"
        "    <description>Nordic and Polish news</description>\n"
        "    <items>\n"
        "      <rdf:Seq>\n"
        '        <rdf:li rdf:resource="https://example.eu/rdf-dc-date/2026/12/norway-mirrors-package"/>\n'
        '        <rdf:li rdf:resource="https://example.eu/rdf-dc-date/2026/12/poland-belarus-rail"/>\n'
        "      </rdf:Seq>\n"
        "    </items>\n"
        "  </channel>\n"
        '  <item rdf:about="https://example.eu/rdf-dc-date/2026/12/norway-mirrors-package">\n'
        "    <title>Norway mirrors EU sanctions package on Russia</title>\n"
        "    <link>https://example.eu/rdf-dc-date/2026/12/norway-mirrors-package</link>\n"
        "    <description>Norway adopted the latest EU sanctions package on Russia in "
        "full.</description>\n"
        "    <dc:date>2026-12-02T08:15:00Z</dc:date>\n"
        "  </item>\n"
        '  <item rdf:about="https://example.eu/rdf-dc-date/2026/12/poland-belarus-rail">\n'
        "    <title>Poland tightens sanctions on Belarus at rail crossing</title>\n"
        "    <link>https://example.eu/rdf-dc-date/2026/12/poland-belarus-rail</link>\n"
        "    <description>Poland will inspect every freight train from Belarus to "
        "enforce sanctions on Belarus.</description>\n"
        "    <dc:date>2026-12-01T19:40:00+03:00</dc:date>\n"
        "  </item>\n"
        "</rdf:RDF>\n"
    ).encode("utf-8"),
)

# 32. Atom 0.3 with <issued> and <modified>.
add(
    "atom03-issued-modified.xml",
    (
        UTF8_PROLOG + '<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="en">\n'
        "  <title>Example Wire (Atom 0.3)</title>\n"
        '  <link rel="alternate" type="text/html" href="https://example.eu/atom03/"/>\n'
        "  <modified>2026-12-01T12:30:00Z</modified>\n"
        "  <author><name>Example Wire</name></author>\n"
        "  <entry>\n"
        "    <title>CSTO peacekeeping exercise ends in Belarus</title>\n"
        '    <link rel="alternate" type="text/html" href="https://example.eu/atom03/2026/12/csto-exercise-ends"/>\n'
        "    <id>tag:example.eu,2026:atom03/1</id>\n"
        "    <issued>2026-12-01T12:00:00+03:00</issued>\n"
        "    <modified>2026-12-01T15:30:00+03:00</modified>\n"
        "    <summary>The CSTO collective peacekeeping forces completed a week-long "
        "exercise near Vitebsk.</summary>\n"
        "  </entry>\n"
        "  <entry>\n"
        "    <title>Sanctions on Russia: Austrian bank wins delay on exit</title>\n"
        '    <link rel="alternate" type="text/html" href="https://example.eu/atom03/2026/11/austrian-bank-delay"/>\n'
        "    <id>tag:example.eu,2026:atom03/2</id>\n"
        "    <issued>2026-11-30T08:00:00Z</issued>\n"
        "    <modified>2026-12-01T10:00:00Z</modified>\n"
        "    <summary>Regulators gave an Austrian bank more time to wind down its "
        "Russian unit under sanctions on Russia.</summary>\n"
        "  </entry>\n"
        "</feed>\n"
    ).encode("utf-8"),
)

# ---------------------------------------------------------------------------------------
# Links and titles
# ---------------------------------------------------------------------------------------

# 33. Relative links resolved against xml:base on the Atom feed element.
add(
    "link-atom-xml-base.xml",
    (
        UTF8_PROLOG
        + '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.eu/news/">\n'
        "  <title>Example EU Newsroom</title>\n"
        '  <link rel="alternate" href="./"/>\n'
        "  <id>tag:example.eu,2026:newsroom</id>\n"
        "  <updated>2026-12-02T09:00:00Z</updated>\n"
        "  <author><name>Example EU Newsroom</name></author>\n"
        "  <entry>\n"
        "    <title>Council adopts new sanctions package against Russia</title>\n"
        '    <link href="2026/12/sanctions-package"/>\n'
        "    <id>tag:example.eu,2026:newsroom/1</id>\n"
        "    <updated>2026-12-02T09:00:00Z</updated>\n"
        "    <summary>The Council adopted a new sanctions package against Russia "
        "covering banks, shipping and metals.</summary>\n"
        "  </entry>\n"
        "  <entry>\n"
        "    <title>High Representative statement on sanctions against Belarus</title>\n"
        '    <link href="../press/2026/12/belarus-sanctions-statement"/>\n'
        "    <id>tag:example.eu,2026:newsroom/2</id>\n"
        "    <updated>2026-12-01T16:00:00Z</updated>\n"
        "    <summary>The High Representative welcomed the extension of sanctions "
        "against Belarus.</summary>\n"
        "  </entry>\n"
        "  <entry>\n"
        "    <title>EU does not recognise the DPR and LPR 'elections', spokesperson says</title>\n"
        '    <link href="/fr/2026/11/dpr-lpr-elections"/>\n'
        "    <id>tag:example.eu,2026:newsroom/3</id>\n"
        "    <updated>2026-11-29T11:30:00Z</updated>\n"
        "    <summary>The EU does not recognise the DPR and LPR or the votes "
        "organised there, a spokesperson said.</summary>\n"
        "  </entry>\n"
        "</feed>\n"
    ).encode("utf-8"),
)

# 34. Atom entries with several links (self, enclosure, alternate) and a link without rel.
add(
    "link-atom-multiple-rels.xml",
    (
        UTF8_PROLOG + '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "  <title>Example Wire: Links</title>\n"
        '  <link rel="self" type="application/atom+xml" href="https://example.eu/multi-rel/feed.atom"/>\n'
        '  <link rel="alternate" type="text/html" href="https://example.eu/multi-rel/"/>\n'
        "  <id>tag:example.eu,2026:multi-rel</id>\n"
        "  <updated>2026-12-02T06:00:00Z</updated>\n"
        "  <author><name>Example Wire</name></author>\n"
        "  <entry>\n"
        "    <title>CSTO rapid reaction force drills near Osh</title>\n"
        '    <link rel="self" type="application/atom+xml" href="https://example.eu/multi-rel/api/entries/8812.atom"/>\n'
        '    <link rel="enclosure" type="image/jpeg" length="48211" href="https://example.eu/multi-rel/media/8812.jpg"/>\n'
        '    <link rel="alternate" type="text/html" href="https://example.eu/multi-rel/2026/12/csto-drills-osh"/>\n'
        "    <id>tag:example.eu,2026:multi-rel/8812</id>\n"
        "    <published>2026-12-02T06:00:00Z</published>\n"
        "    <updated>2026-12-02T06:00:00Z</updated>\n"
        "    <summary>Units of the CSTO rapid reaction force held drills near Osh in "
        "southern Kyrgyzstan.</summary>\n"
        "  </entry>\n"
        "  <entry>\n"
        "    <title>Sanctions on Russia: Dutch customs seize chip shipment</title>\n"
        '    <link href="https://example.eu/multi-rel/2026/11/dutch-customs-chips"/>\n'
        "    <id>tag:example.eu,2026:multi-rel/8790</id>\n"
        "    <published>2026-11-30T14:20:00Z</published>\n"
        "    <updated>2026-11-30T14:20:00Z</updated>\n"
        "    <summary>Dutch customs seized microchips bound for Russia in breach of "
        "sanctions on Russia.</summary>\n"
        "  </entry>\n"
        "</feed>\n"
    ).encode("utf-8"),
)

# 35. Links that come from <guid>: permalink guid without <link>, non-permalink guid with <link>.
add(
    "link-rss-guid-permalink.xml",
    (
        UTF8_PROLOG + '<rss version="2.0">\n'
        "  <channel>\n"
        "    <title>Steppe Wire: Guids</title>\n"
        "    <link>https://news.example.kz/guid/</link>\n"
        "    <description>Central Asia news</description>\n"
        "    <item>\n"
        "      <title>Uzbekistan tightens checks on sanctions evasion to Russia</title>\n"
        '      <guid isPermaLink="true">https://news.example.kz/guid/2026/12/uzbekistan-checks</guid>\n'
        "      <description>Uzbek customs will check dual-use goods bound for Russia to "
        "avoid secondary sanctions.</description>\n"
        "      <pubDate>Wed, 02 Dec 2026 04:00:00 +0500</pubDate>\n"
        "    </item>\n"
        "    <item>\n"
        "      <title>Tajikistan asks CSTO for border help</title>\n"
        '      <guid isPermaLink="false">tag:news.example.kz,2026-12-01:guid/4471</guid>\n'
        "      <link>https://news.example.kz/guid/2026/12/tajikistan-csto-border</link>\n"
        "      <description>Dushanbe asked the CSTO for equipment to guard the Afghan "
        "border.</description>\n"
        "      <pubDate>Tue, 01 Dec 2026 13:10:00 +0500</pubDate>\n"
        "    </item>\n"
        "    <item>\n"
        "      <title>Kazakh banks review Russia sanctions exposure</title>\n"
        "      <guid>https://news.example.kz/guid/2026/11/kazakh-banks-review</guid>\n"
        "      <description>Kazakh banks are reviewing transfers to Russia after "
        "warnings about sanctions on Russia.</description>\n"
        "      <pubDate>Sun, 29 Nov 2026 09:45:00 +0500</pubDate>\n"
        "    </item>\n"
        "  </channel>\n"
        "</rss>\n"
    ).encode("utf-8"),
)

# 36. Links wrapped in whitespace and newlines, with &amp; in query strings.
add(
    "link-whitespace-amp.xml",
    (
        UTF8_PROLOG + '<rss version="2.0">\n'
        "  <channel>\n"
        "    <title>Wire: Links with queries</title>\n"
        "    <link>https://wire.example.ru/query-links/</link>\n"
        "    <description>News</description>\n"
        "    <item>\n"
        "      <title>Turkey says banks comply with US sanctions on Russia</title>\n"
        "      <link>\n"
        "        https://wire.example.ru/query-links/news?id=4521&amp;lang=en&amp;ref=rss\n"
        "      </link>\n"
        "      <description>Turkish officials said local banks follow US sanctions on "
        "Russia to avoid penalties.</description>\n"
        "      <pubDate>Tue, 01 Dec 2026 07:25:00 +0000</pubDate>\n"
        "    </item>\n"
        "    <item>\n"
        "      <title>В Армении обсудили выход из ОДКБ</title>\n"
        "      <link>\t https://wire.example.ru/query-links/news?id=4519&amp;lang=ru \t\n"
        "</link>\n"
        "      <description>Депутаты парламента Армении обсудили законопроект о выходе "
        "из ОДКБ.</description>\n"
        "      <pubDate>Mon, 30 Nov 2026 17:00:00 +0000</pubDate>\n"
        "    </item>\n"
        "    <item>\n"
        "      <title>UAE traders face scrutiny over sanctions on Russia</title>\n"
        "      <link><![CDATA[  "
        "https://wire.example.ru/query-links/news?id=4502&lang=en&src=cdata"
        "  ]]></link>\n"
        "      <description>Western officials raised concerns over re-exports of "
        "electronics to Russia in breach of sanctions.</description>\n"
        "      <pubDate>Fri, 27 Nov 2026 10:40:00 +0000</pubDate>\n"
        "    </item>\n"
        "  </channel>\n"
        "</rss>\n"
    ).encode("utf-8"),
)

# 37. FeedBurner: feedburner:origLink next to a feedproxy <link>.
add(
    "link-feedburner-origlink.xml",
    (
        UTF8_PROLOG
        + '<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">\n'
        "  <channel>\n"
        "    <title>Wire via FeedBurner</title>\n"
        "    <link>https://wire.example.ru/feedburner/</link>\n"
        "    <description>News</description>\n"
        "    <item>\n"
        "      <title>Sanctions on Belarus: Latvia bans Belarusian trucks</title>\n"
        "      <link>https://feedproxy.example.com/~r/ExampleWire/~3/x7Kq2Lm9/</link>\n"
        "      <description>Latvia will bar trucks with Belarusian plates under "
        "sanctions on Belarus.</description>\n"
        "      <pubDate>Wed, 02 Dec 2026 05:50:00 +0000</pubDate>\n"
        "      <feedburner:origLink>https://wire.example.ru/feedburner/2026/12/latvia-trucks</feedburner:origLink>\n"
        "    </item>\n"
        "    <item>\n"
        "      <title>Georgia: South Ossetia vote will not be recognised</title>\n"
        "      <link>https://feedproxy.example.com/~r/ExampleWire/~3/p4Tz8Qw1/</link>\n"
        "      <description>Tbilisi said any vote in South Ossetia will not be "
        "recognised by Georgia or its partners.</description>\n"
        "      <pubDate>Sat, 28 Nov 2026 12:05:00 +0000</pubDate>\n"
        "      <feedburner:origLink>https://wire.example.ru/feedburner/2026/11/south-ossetia-vote</feedburner:origLink>\n"
        "    </item>\n"
        "  </channel>\n"
        "</rss>\n"
    ).encode("utf-8"),
)

# 38. Titles in CDATA containing HTML tags and entity text.
add(
    "title-cdata-html.xml",
    rss(
        "Example Wire: Markup",
        "https://example.eu/cdata/",
        "European news",
        [
            item(
                "<![CDATA[EU <b>sanctions</b> &amp; Russia: what changes on 1 January]]>",
                "https://example.eu/cdata/2026/12/what-changes-january",
                "Tue, 01 Dec 2026 11:15:00 +0000",
                "<![CDATA[<p>An explainer on the EU <b>sanctions</b> on Russia that take "
                "effect in January.</p>]]>",
            ),
            item(
                "<![CDATA[Britain adds 12 vessels to Russia <em>sanctions</em> list "
                "&#8212; shadow fleet]]>",
                "https://example.eu/cdata/2026/11/britain-12-vessels",
                "Sun, 29 Nov 2026 16:50:00 +0000",
                "<![CDATA[<p>The UK added 12 tankers of the shadow fleet to its Russia "
                "sanctions list.</p>]]>",
            ),
        ],
    ).encode("utf-8"),
)

# 39. Double-escaped entities in titles (&amp;quot; and &amp;amp;).
add(
    "title-double-escaped.xml",
    rss(
        "Example Wire: Escapes",
        "https://example.eu/double-escaped/",
        "European news",
        [
            item(
                "EU calls Russia sanctions &amp;quot;effective&amp;quot; in annual review",
                "https://example.eu/double-escaped/2026/12/annual-review",
                "Wed, 02 Dec 2026 03:30:00 +0000",
                "The annual review concludes that EU sanctions on Russia reduced its "
                "access to Western technology.",
            ),
            item(
                "Sanctions on Russia: banks &amp;amp; insurers face new reporting rules",
                "https://example.eu/double-escaped/2026/11/banks-insurers-reporting",
                "Fri, 27 Nov 2026 08:20:00 +0000",
                "Banks and insurers must report frozen assets linked to sanctions on "
                "Russia every quarter.",
            ),
        ],
    ).encode("utf-8"),
)

# 40. Atom titles of type html (escaped markup), xhtml (div child) and text (literal "<").
add(
    "title-atom-html-xhtml.xml",
    (
        UTF8_PROLOG + '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "  <title>Example Wire: Atom title types</title>\n"
        '  <link rel="alternate" href="https://news.example.kz/atom-title-types/"/>\n'
        "  <id>tag:news.example.kz,2026:atom-title-types</id>\n"
        "  <updated>2026-12-02T08:00:00Z</updated>\n"
        "  <author><name>Example Wire</name></author>\n"
        "  <entry>\n"
        '    <title type="html">&lt;em&gt;CSTO&lt;/em&gt; summit opens in Minsk</title>\n'
        '    <link rel="alternate" href="https://news.example.kz/atom-title-types/2026/12/csto-summit-minsk"/>\n'
        "    <id>tag:news.example.kz,2026:atom-title-types/1</id>\n"
        "    <published>2026-12-02T08:00:00Z</published>\n"
        "    <updated>2026-12-02T08:00:00Z</updated>\n"
        "    <summary>Leaders of the CSTO states opened their annual summit in "
        "Minsk.</summary>\n"
        "  </entry>\n"
        "  <entry>\n"
        '    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Armenia skips '
        "<b>CSTO</b> drills in Belarus</div></title>\n"
        '    <link rel="alternate" href="https://news.example.kz/atom-title-types/2026/11/armenia-skips-drills"/>\n'
        "    <id>tag:news.example.kz,2026:atom-title-types/2</id>\n"
        "    <published>2026-11-30T07:10:00Z</published>\n"
        "    <updated>2026-11-30T07:10:00Z</updated>\n"
        "    <summary>Armenia did not send troops to the CSTO drills in "
        "Belarus.</summary>\n"
        "  </entry>\n"
        "  <entry>\n"
        '    <title type="text">Sanctions on Russia cut EU imports to &lt;2% of total</title>\n'
        '    <link rel="alternate" href="https://news.example.kz/atom-title-types/2026/11/eu-imports-share"/>\n'
        "    <id>tag:news.example.kz,2026:atom-title-types/3</id>\n"
        "    <published>2026-11-27T13:00:00Z</published>\n"
        "    <updated>2026-11-27T13:00:00Z</updated>\n"
        "    <summary>Eurostat data show that Russia's share in EU imports fell below "
        "two per cent because of sanctions on Russia.</summary>\n"
        "  </entry>\n"
        "</feed>\n"
    ).encode("utf-8"),
)

# 41. Titles spread over several lines with tabs and runs of spaces.
add(
    "title-multiline-whitespace.xml",
    rss(
        "Example Wire: Layout",
        "https://wire.example.ru/multiline/",
        "News",
        [
            item(
                "\n\t\tEU agrees\n\t\tnew   sanctions package\n  on Russia\t targeting\n"
                "\t\tmetals trade\n\t",
                "https://wire.example.ru/multiline/2026/12/metals-trade",
                "Wed, 02 Dec 2026 00:40:00 +0000",
                "The new sanctions package on Russia targets aluminium, nickel and copper imports.",
            ),
            item(
                "\n    ОДКБ  \n    начала учения\t\t«Поиск-2026»\n    ",
                "https://wire.example.ru/multiline/2026/11/poisk-2026",
                "Sat, 28 Nov 2026 06:15:00 +0000",
                "Разведывательные учения ОДКБ «Поиск-2026» проходят в Киргизии.",
            ),
        ],
    ).encode("utf-8"),
)

# 42. No XML prolog, blank lines and whitespace before <rss>.
add(
    "rss-no-prolog-leading-whitespace.xml",
    rss(
        "Example Wire: Bare",
        "https://wire.example.ru/no-prolog/",
        "News",
        [
            item(
                "Kyrgyz banks suspend transfers over sanctions on Russia",
                "https://wire.example.ru/no-prolog/2026/12/kyrgyz-banks",
                "Tue, 01 Dec 2026 09:55:00 +0000",
                "Two Kyrgyz banks suspended transfers in roubles, citing the risk of "
                "secondary sanctions over trade with Russia.",
            ),
            item(
                "ОДКБ откроет представительство в Душанбе",
                "https://wire.example.ru/no-prolog/2026/11/odkb-dushanbe",
                "Thu, 26 Nov 2026 07:30:00 +0000",
                "Представительство ОДКБ в Таджикистане займется координацией пограничных программ.",
            ),
        ],
        prolog="\n\n   \n\t\n",
    ).encode("utf-8"),
)

# 43. Bare unescaped "&" in titles (and in one link): malformed XML that lenient readers survive.
add(
    "title-bare-ampersand.xml",
    rss(
        "Example Wire: Ampersands",
        "https://example.eu/bare-amp/",
        "European news",
        [
            item(
                "Sanctions & enforcement: EU targets insurers of Russia's shadow fleet",
                "https://example.eu/bare-amp/2026/12/shadow-fleet-insurers",
                "Wed, 02 Dec 2026 02:00:00 +0000",
                "The EU plans to list insurers that cover tankers of Russia's shadow "
                "fleet under its sanctions on Russia.",
            ),
            item(
                "Belarus sanctions: Lithuania & Latvia tighten checks on trucks",
                "https://example.eu/bare-amp/news?id=7781&lang=en",
                "Fri, 27 Nov 2026 14:35:00 +0000",
                "Lithuania and Latvia will inspect all trucks from Belarus to enforce "
                "sanctions on Belarus.",
            ),
        ],
    ).encode("utf-8"),
)

# 44. RSS 1.0 with every element under a prefix (rss:, rdf:) and content:encoded, no description.
add(
    "rdf-prefixed-content-encoded.xml",
    (
        UTF8_PROLOG + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns:rss="http://purl.org/rss/1.0/"\n'
        '         xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '         xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        '  <rss:channel rdf:about="https://wire.example.ru/rdf-prefixed/">\n'
        "    <rss:title>Лента новостей (RDF)</rss:title>\n"
        "    <rss:link>https://wire.example.ru/rdf-prefixed/</rss:link>\n"
        "    <rss:description>Новости</rss:description>\n"
        "    <rss:items>\n"
        "      <rdf:Seq>\n"
        '        <rdf:li rdf:resource="https://wire.example.ru/rdf-prefixed/2026/12/avstraliya-sankcii"/>\n'
        '        <rdf:li rdf:resource="https://wire.example.ru/rdf-prefixed/2026/11/odkb-mirotvorcy"/>\n'
        "      </rdf:Seq>\n"
        "    </rss:items>\n"
        "  </rss:channel>\n"
        '  <rss:item rdf:about="https://wire.example.ru/rdf-prefixed/2026/12/avstraliya-sankcii">\n'
        "    <rss:title>Австралия продлила санкции против России</rss:title>\n"
        "    <rss:link>https://wire.example.ru/rdf-prefixed/2026/12/avstraliya-sankcii</rss:link>\n"
        "    <dc:date>2026-12-01T21:00:00+03:00</dc:date>\n"
        "    <content:encoded><![CDATA[<p>Австралия продлила <strong>санкции против "
        "России</strong> еще на год.</p>]]></content:encoded>\n"
        "  </rss:item>\n"
        '  <rss:item rdf:about="https://wire.example.ru/rdf-prefixed/2026/11/odkb-mirotvorcy">\n'
        "    <rss:title>Миротворцы ОДКБ провели учения в Киргизии</rss:title>\n"
        "    <rss:link>https://wire.example.ru/rdf-prefixed/2026/11/odkb-mirotvorcy</rss:link>\n"
        "    <dc:date>2026-11-29T10:00:00+03:00</dc:date>\n"
        "    <content:encoded><![CDATA[<p>Учения миротворческих сил <em>ОДКБ</em> прошли "
        "под Бишкеком.</p>]]></content:encoded>\n"
        "  </rss:item>\n"
        "</rdf:RDF>\n"
    ).encode("utf-8"),
)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in FEEDS.items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(FEEDS)} feeds to {OUT}")


if __name__ == "__main__":
    main()
