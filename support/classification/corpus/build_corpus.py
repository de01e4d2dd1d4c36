"""Build the labelled ticket corpus for the policy classifier (train.jsonl and heldout.jsonl).

Run: `.venv/bin/python support/classification/corpus/build_corpus.py` (deterministic: fixed seed).

Tickets are composed from slots (interfaces, endpoints, fields, versions, people) and from many sentence
templates per category and language. The held-out file is split *by template*, not by row: every pool of
category-bearing text (subjects, core sentences, detail fragments, closing questions) is partitioned once,
and held-out tickets are built only from the held-out part of each pool, so the held-out score measures
how the model copes with phrasings it has never seen.

Labelling rules (SPEC §1) applied to the hard cases:
- a fault report that also mentions slowness is `defect` (the fault decides, not the symptom);
- a usage question asking "is this a bug?" is `assistance` when the cause is the integrator's own call;
- a performance complaint that asks for a *new* bulk endpoint is `extension` (a new capability is requested);
- reading the vendor's database "just read-only" is still `unofficial`;
- a 403 that comes from an interface not being active in the installation is `activation`.
"""

# ruff: noqa: E501  (the templates are prose: one sentence per line reads better than wrapped strings)
from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

SEED = 20241129
HELDOUT_SHARE = 0.25
TRAIN_PER_CATEGORY = 180
HELDOUT_PER_CATEGORY = 55
SWEDISH_SHARE = 0.7
OUT_DIR = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------------- slots
SLOTS: dict[str, dict[str, list[str]]] = {
    "sv": {
        "api": [
            "Ärende-API:et",
            "Personregister-API:et",
            "fakturaexporten",
            "Dokumentarkiv-API:et",
            "bokningstjänsten",
            "händelsewebhooken",
            "SOAP-tjänsten för elevregistret",
            "Schema-API:et",
            "Diarie-API:et",
            "attesttjänsten",
            "lönetjänsten v2",
            "Beslut-API:et",
            "Bygglov-API:et",
            "Enhetsregister-API:et",
            "REST-API:t för hemtjänsten",
            "Kontakt-API:et",
        ],
        "app": [
            "vår e-tjänst",
            "vårt HR-system",
            "integrationsplattformen",
            "vår BI-lösning",
            "Power BI-rapporten",
            "intranätet",
            "elevportalen",
            "hemtjänstappen",
            "vårt MuleSoft-flöde",
            "vår BizTalk-integration",
            "ekonomisystemet",
            "vår egen Python-tjänst",
            "e-arkivet",
            "bokningsportalen",
            "vår Azure Function",
        ],
        "field": [
            "handläggare",
            "beslutsdatum",
            "personnummer",
            "enhetskod",
            "status",
            "diarienummer",
            "kostnadsställe",
            "e-postadress",
            "anställningsform",
            "skyddad identitet",
            "ansvarig enhet",
            "ärendetyp",
            "sista svarsdatum",
            "fakturareferens",
            "organisationsnummer",
        ],
        "org": [
            "Sundsvalls kommun",
            "Norrfjärdens kommun",
            "Kommunalförbundet Sydnärke IT",
            "Bergsala Energi AB",
            "Västra Dalarnas IT-nämnd",
            "Integrio Konsult AB",
            "Ljusnedals kommun",
            "Härnövik kommun",
            "Skogsbo Bostäder AB",
            "Österlens kommunalförbund",
            "Kodkraft Partner AB",
            "Åsele-Vilhelmina IT",
        ],
        "name": [
            "Anna Lindqvist",
            "Erik Johansson",
            "Maria Berg",
            "Johan Nilsson",
            "Sara Holm",
            "Mikael Ek",
            "Karin Sjöberg",
            "Ahmed Yusuf",
            "Lena Strand",
            "Petter Öhman",
            "Fatima Karimi",
            "Jonas Wall",
        ],
        "role": [
            "Systemförvaltare",
            "Integrationsutvecklare",
            "IT-samordnare",
            "Konsult",
            "Utvecklare",
            "Teknisk förvaltare",
            "Systemutvecklare",
            "IT-tekniker",
            "Lösningsarkitekt",
        ],
        "time": [
            "i morse",
            "sedan i går",
            "sedan helgen",
            "sedan uppdateringen i tisdags",
            "sedan förra veckan",
            "sedan natten till idag",
            "i eftermiddags",
            "sedan den 3:e",
        ],
        "env": ["testmiljön", "produktionen", "prod", "vår acceptanstestmiljö", "utbildningsmiljön", "QA"],
    },
    "en": {
        "api": [
            "the Case API",
            "the Person Registry API",
            "the invoice export endpoint",
            "the Documents API",
            "the Booking REST API",
            "the webhook service",
            "the Student SOAP service",
            "the Scheduling API",
            "the Records API v2",
            "the Approvals API",
            "the Payroll API",
            "the Decisions API",
            "the Units API",
            "the Contacts API",
        ],
        "app": [
            "our e-service",
            "our HR system",
            "our integration platform",
            "the BI dashboard",
            "our mobile app",
            "the intranet",
            "our ERP connector",
            "a Node.js service",
            "our Logic App",
            "the student portal",
            "a small Go worker",
            "our Python client",
        ],
        "field": [
            "caseOfficer",
            "decisionDate",
            "personalIdentityNumber",
            "unitCode",
            "status",
            "registrationNumber",
            "costCentre",
            "email",
            "protectedIdentity",
            "modifiedAt",
            "dueDate",
            "invoiceReference",
            "organisationNumber",
            "externalId",
        ],
        "org": [
            "Integrio Consulting",
            "Northwind Integrations Ltd",
            "Sundsvall Municipality",
            "Bergsala Energy",
            "Kodkraft Partner",
            "Contoso Public Sector",
            "Fabrikam Software GmbH",
            "Baltic Data Oy",
        ],
        "name": [
            "James Carter",
            "Priya Shah",
            "Tom Becker",
            "Laura Jensen",
            "Mark O'Neill",
            "Sofia Rossi",
            "Daniel Kim",
            "Eva Novak",
            "Lucas Martin",
            "Hannah Weber",
        ],
        "role": [
            "Integration developer",
            "Senior consultant",
            "Software engineer",
            "Solution architect",
            "Backend developer",
            "IT operations",
            "Technical lead",
        ],
        "time": [
            "since this morning",
            "since yesterday",
            "since the weekend",
            "since Tuesday's upgrade",
            "since last week",
            "overnight",
            "for the past two days",
            "since the 3rd",
        ],
        "env": ["staging", "production", "prod", "our test environment", "UAT", "the sandbox"],
    },
}
COMMON_SLOTS: dict[str, list[str]] = {
    "endpoint": [
        "/api/v2/cases",
        "/api/v1/persons/{id}",
        "/api/v2/invoices?from=2024-01-01",
        "/api/v3/documents/{docId}/content",
        "/api/v2/bookings",
        "/api/v1/employees",
        "/api/v2/decisions",
        "/api/v1/units",
        "/rest/schedule/v1/lessons",
        "/api/v2/diary/entries",
        "/api/v2/cases/{caseId}/events",
        "/api/v1/contacts/search",
        "/api/v2/payroll/periods",
    ],
    "version": ["4.12", "4.12.1", "2024.3", "2025.1 SP2", "5.3.0", "5.4 hotfix 2", "2024.2.7", "6.0.1"],
    "n": ["3", "12", "40", "150", "800", "2 000", "15 000", "48 000", "120 000"],
    "secs": ["8", "14", "25", "38", "45", "60", "90", "120"],
    "table": [
        "PERSON",
        "ARENDE",
        "dbo.tblCase",
        "dbo.Handlaggare",
        "T_FAKTURA",
        "BESLUT",
        "case_event",
        "HR_ANSTALLD",
        "dbo.Dokument",
        "SCHEMA_LEKTION",
        "ENHET",
    ],
    "lang": ["Python", "C#", ".NET 8", "Java", "Node", "PowerShell", "Postman", "Go", "curl", "Power Automate"],
    "id": ["4711", "10293", "88120", "2024-0412", "55001", "731", "99104"],
}

# --------------------------------------------------------------------------- category-neutral framing
GREETINGS = {
    "sv": [
        "Hej!",
        "Hej,",
        "Hejsan!",
        "Hej support,",
        "God morgon,",
        "Hej igen,",
        "Tjena,",
        "Hej {first},",
        "Hej på er!",
        "Till supporten:",
        "Hallå,",
    ],
    "en": ["Hi,", "Hello,", "Hi team,", "Hello support,", "Good morning,", "Hey,", "Dear support team,", "Hi {first},"],
}
CONTEXTS = {
    "sv": [
        "Vi är {org} och håller på att koppla ihop {app} med ert system.",
        "Jag jobbar som konsult åt {org}.",
        "Vi har en integration mellan {app} och ert verksamhetssystem.",
        "Vi kör version {version} i {env}.",
        "Skriver å {org}s vägnar.",
        "Detta gäller vår integration i {env}.",
        "Vi är en kommun med ca 40 000 invånare.",
        "Bakgrund: vi bygger om {app} under våren.",
        "Kort bakgrund: vi använder {api} sedan i höstas.",
        "Vi är partner och hjälper {org} med integrationer.",
    ],
    "en": [
        "We are {org} and we're connecting {app} to your system.",
        "I'm a consultant working for {org}.",
        "We run version {version} in {env}.",
        "Some context: we are migrating {app} this quarter.",
        "We have been using {api} for about a year.",
        "This concerns our integration in {env}.",
    ],
}
SIGNATURES = {
    "sv": [
        "Mvh\n{name}",
        "Med vänliga hälsningar\n{name}\n{role}\n{org}",
        "/{first}",
        "Tack på förhand!\n{name}",
        "Hälsningar {first}",
        "MVH {name}, {org}",
        "//{first}\nSkickat från min iPhone",
        "Vänligen,\n{name}\n{role} | {org}\nTel 070-123 45 67",
    ],
    "en": [
        "Thanks,\n{name}",
        "Best regards,\n{name}\n{role}\n{org}",
        "Cheers, {first}",
        "Regards\n{name}",
        "Thanks in advance!\n{first}",
        "--\n{name} | {role} | {org}",
    ],
}
NEUTRAL_SUBJECTS = {
    "sv": [
        "Fråga",
        "Problem med API",
        "Hjälp!",
        "Integration",
        "Ang. vår integration",
        "Ärende från {org}",
        "SV: Ang. API",
        "Brådskande",
        "{api}",
    ],
    "en": ["Question", "API problem", "Help needed", "Integration issue", "Re: our integration", "{api}"],
}

# Pools keyed by (category, language, kind). kind is subject | core | detail | close.
Pool = dict[tuple[str, str, str], list[str]]
P: Pool = {}


def pool(category: str, lang: str, kind: str, items: list[str]) -> None:
    P[(category, lang, kind)] = items


# ------------------------------------------------------------------------------------------- defect
pool(
    "defect",
    "sv",
    "subject",
    [
        "Fel i {api} efter uppdatering",
        "500-fel från {endpoint}",
        "Fältet {field} saknas i svaret",
        "Felaktiga datum i {api}",
        "Bugg: dubbletter i {api}",
        "{api} returnerar fel data",
        "Ändrat beteende efter patch {version}",
        "Internal Server Error vid anrop",
        "Tomt svar från {endpoint}",
        "Fel teckenkodning i {api}",
        "Felaktig sortering efter {version}",
        "Trasig paginering",
        "{field} blir null",
        "Webhooken skickar fel händelsetyp",
        "Krasch i {api} sedan {version}",
        "Fel tidszon i svaren",
        "Misstänkt bugg i {api}",
        "Regression i {version}",
    ],
)
pool(
    "defect",
    "sv",
    "core",
    [
        "Sedan vi uppdaterade till {version} returnerar {api} HTTP 500 på {endpoint}, trots att anropet är oförändrat.",
        "{api} svarar med 500 Internal Server Error {time}. Samma anrop fungerade förra veckan.",
        "Fältet {field} saknas helt i svaret från {endpoint} efter senaste patchen.",
        "Vi får tillbaka fel {field} för vissa poster – det ser ut som att värdet från en annan post kommer med.",
        "Datumen i {api} är förskjutna en timme sedan sommartid, det verkar som att tidszonen hanteras fel i ert API.",
        "Pagineringen i {endpoint} hoppar över poster: sida 2 och 3 innehåller samma rader.",
        "Efter patch {version} har beteendet ändrats: {api} returnerar nu 404 för ärenden som finns.",
        "{api} skickar dubbletter av samma händelse, vissa kommer tre gånger med samma id.",
        "Å, ä och ö blir frågetecken i {field} när vi hämtar via {api}. Det fungerade innan uppgraderingen.",
        "Svaret från {endpoint} är inte giltig JSON, det saknas en avslutande klammer i slutet.",
        "{field} är null för alla poster {time}, men i klienten syns värdet.",
        "Det verkar vara en bugg i {api}: filtret på status ignoreras och vi får alla poster.",
        "När vi skickar en helt korrekt POST enligt dokumentationen får vi ett 500-fel med ett NullPointerException i svaret.",
        "Sorteringen har ändrats efter uppdateringen, nu kommer äldsta först fast dokumentationen säger nyaste först.",
        "{api} returnerar 200 OK men med en tom lista, trots att det finns data i systemet.",
        "Webhooken för ändrade ärenden slutade skicka anrop efter {version}, inga händelser kommer längre.",
        "Anropet går långsamt också, men huvudproblemet är att {endpoint} returnerar fel belopp – beloppen är avrundade fel.",
        "Det tar visserligen lång tid, men framför allt kommer svaret med 500 och en stacktrace från er server.",
        "Totalsumman i fakturaexporten stämmer inte med det som syns i systemet, skiljer på öresavrundningen.",
        "Vi tror att det är ett fel i ert API: {field} innehåller värdet för fel person.",
        "ETag-headern ändras vid varje anrop fast inget har ändrats, så vår cache fungerar inte längre sedan {version}.",
        "Sedan i natt kommer {field} i formatet MM/DD/YYYY istället för ISO 8601 som innan.",
        "Schemavalideringen mot er publicerade OpenAPI-specifikation fallerar – svaret innehåller fält som inte finns i specen och saknar obligatoriska.",
        "Borttagna poster dyker fortfarande upp i {api} trots att de är raderade i systemet.",
        "Felet går att återskapa: anropa {endpoint} med ett id som innehåller bindestreck så kraschar tjänsten.",
        "Dokumentet som laddas ner via {api} är korrupt – PDF:en går inte att öppna, storleken är 0 byte.",
        "Uppdateringen av {field} via PUT sparas inte, svaret säger 200 men värdet är oförändrat när vi läser igen.",
        "Sedan uppgraderingen till {version} får vi 500 när {field} är tomt, det var tillåtet innan.",
        "Räknaren totalCount i svaret stämmer inte med antalet poster som faktiskt kommer.",
        "SOAP-tjänsten returnerar ett fault med 'Object reference not set to an instance of an object' på ett giltigt anrop.",
        "Svaret från {api} innehåller personer som har skyddad identitet fast de ska vara filtrerade – det här är allvarligt.",
        "Är det en bugg? Efter er release i tisdags har {field} bytt namn i svaret utan att det står i release notes.",
        "Vi har inte ändrat något på vår sida, men {api} har börjat returnera 502 Bad Gateway på vartannat anrop sedan patchen.",
        "Det blir fel ordning på händelserna i webhooken, uppdatering kommer före skapande.",
        "Klockslaget i {field} saknar sekunder sedan {version}, vilket bryter vår jämförelse.",
        "Ett ärende som stängts visas fortfarande som öppet i {api}, men rätt i systemets gränssnitt.",
    ],
)
pool(
    "defect",
    "sv",
    "detail",
    [
        'HTTP/1.1 500 Internal Server Error\n{{"error":"InternalError","traceId":"8f3a-{id}"}}',
        "at Vendor.Api.Cases.CaseController.Get(Int32 id)\nat Vendor.Api.Infrastructure.Mapper.Map(Case c)\n"
        "System.NullReferenceException: Object reference not set to an instance of an object.",
        'Förväntat: {{"{field}": "2024-03-01"}}\nFaktiskt: {{"{field}": null}}',
        "Loggen:\n2024-11-28T07:14:03Z ERROR upstream responded 500 for GET {endpoint} (traceId {id})",
        "Steg för att återskapa:\n1. GET {endpoint}\n2. Jämför med vad som visas i klienten\n3. Värdena skiljer sig",
        "Fungerade i {version}, fel i versionen efter.",
        "Svar: HTTP 500, body: <html><title>Runtime Error</title>…",
        "Exempel på post med fel: id {id}, {field} = '1970-01-01'",
    ],
)
pool(
    "defect",
    "sv",
    "close",
    [
        "Kan ni titta på det? Det påverkar produktionen.",
        "Kan ni bekräfta om det är ett fel hos er?",
        "Vi har inte ändrat något i vår kod.",
        "Hör av er om ni behöver mer loggar.",
        "Finns det en rättning på gång?",
        "Det här stoppar vår nattliga körning.",
        "Ser fram emot en snabb återkoppling då det är ett fel i ert API.",
        "Trace-id finns ovan.",
    ],
)
pool(
    "defect",
    "en",
    "subject",
    [
        "500 error from {endpoint}",
        "{field} missing in response after upgrade",
        "Bug: duplicate records in {api}",
        "Regression in {version}",
        "Wrong dates returned by {api}",
        "[BUG] pagination skips items",
        "Unexpected null in {field}",
        "Webhook stopped firing after update",
        "Breaking change in {version}?",
        "Encoding broken in {api}",
        "Invalid JSON returned",
        "API returns stale data",
    ],
)
pool(
    "defect",
    "en",
    "core",
    [
        "After upgrading to {version}, {api} returns HTTP 500 for {endpoint} with a request that worked before.",
        "The {field} field is missing from the response since the last patch. Nothing changed on our side.",
        "{api} returns duplicate items: the same id appears on page 1 and page 2.",
        "### Describe the bug\n{api} returns the wrong {field} for some records.\n### Expected behavior\nThe value stored in the system.",
        "Dates coming back from {endpoint} are shifted by one hour, looks like a timezone bug in the API.",
        "Since {version}, {endpoint} returns 404 for records that definitely exist.",
        "The response is not valid JSON: it is truncated after a few kilobytes.",
        "{field} is always null {time}, although it's populated in the UI.",
        "Status filter is ignored, we get every record regardless of the query parameter. Looks like a regression.",
        "Steps to reproduce:\n1. POST a valid payload to {endpoint}\n2. Observe 500 Internal Server Error\nThis worked on the previous version.",
        "The webhook for updated cases stopped being delivered after the {version} update.",
        "Special characters (å, ä, ö) come back as '?' in {field} since the upgrade.",
        "It is also a bit slow, but the real problem is that {api} returns wrong totals: amounts are rounded incorrectly.",
        "PUT returns 200 OK but the change to {field} is not persisted when we read it back.",
        "Deleted records still show up in {api} responses.",
        "The published OpenAPI spec says {field} is required, but the API omits it for about half the records.",
        "totalCount in the response doesn't match the number of items actually returned.",
        "Downloaded documents from {api} are corrupt, 0 bytes, since yesterday's release.",
        "We get a SOAP fault 'Object reference not set to an instance of an object' for a valid request.",
        "Events arrive out of order: update before create. That broke after your release.",
        "Looks like a breaking change: {field} was renamed in the response without any note in the changelog.",
    ],
)
pool(
    "defect",
    "en",
    "detail",
    [
        'HTTP/1.1 500 Internal Server Error\n{{"error":"InternalError","traceId":"c0ffee-{id}"}}',
        "Traceback: java.lang.NullPointerException\n  at com.vendor.api.cases.CaseMapper.toDto(CaseMapper.java:88)",
        'Expected: {{"{field}": "2024-03-01"}}\nActual: {{"{field}": null}}',
        "Environment: production, version {version}\nClient: {lang}",
        "2024-11-28 07:14:03 ERROR upstream 500 GET {endpoint} trace={id}",
        "### Actual behavior\nHTTP 500 and an HTML error page instead of JSON.",
    ],
)
pool(
    "defect",
    "en",
    "close",
    [
        "Could you please investigate? This affects production.",
        "Is this a known issue?",
        "We haven't changed anything on our side.",
        "Happy to provide more logs.",
        "Is a fix planned?",
        "This is blocking our nightly sync.",
    ],
)

# ---------------------------------------------------------------------------------------- assistance
pool(
    "assistance",
    "sv",
    "subject",
    [
        "Hur autentiserar vi mot {api}?",
        "Fråga om mappning av {field}",
        "Hur anropar man {endpoint}?",
        "Får 401 från tokenendpointen",
        "Hjälp med OAuth-flödet",
        "Var hittar jag dokumentationen?",
        "Vilket fält motsvarar {field}?",
        "Hur fungerar paginering?",
        "Är detta en bugg?",
        "Problem med vår klient",
        "Exempel på anrop?",
        "Fråga om datumformat",
        "Hur skickar vi bilagor?",
        "Vår kod får 400 Bad Request",
        "Vägledning kring webhooks",
        "Certifikat till API:et?",
        "Hjälp att tolka felmeddelande",
    ],
)
pool(
    "assistance",
    "sv",
    "core",
    [
        "Hur autentiserar man mot {api}? Vi har fått klient-id och hemlighet men vet inte vilket flöde vi ska använda.",
        "Vi får 401 Unauthorized när vi hämtar token. Vi skickar client_id och client_secret i body – ska det vara Basic-auth istället?",
        "Vilket fält i {api} motsvarar {field} i vårt system? Vi försöker mappa upp datamodellen i API:t mot vår egen.",
        "Hur fungerar pagineringen i {endpoint}? Ska vi använda offset eller nästa-länken?",
        "Är detta en bugg? Vi får 400 Bad Request när vi skickar datumet som 2024-3-1. Eller gör vi fel?",
        "Vår {lang}-klient kastar ett undantag när vi deserialiserar svaret, troligen är det vår modell som inte matchar.",
        "Var hittar jag dokumentationen för {api}? Länken i partnerportalen verkar leda fel.",
        "Hur ska vi skicka med bilagor i {endpoint} – som base64 i JSON eller multipart?",
        "Kan ni ge ett exempel på ett korrekt anrop till {endpoint} med filter på datum?",
        "Vi förstår inte hur vi ska tolka statuskoderna i svaret. Vad betyder status 3 jämfört med 4?",
        "Vår integration fungerar i testmiljön men inte i {env}, vi misstänker att vi har fel bas-URL i vår konfiguration.",
        "Hur prenumererar vi på webhooks och hur verifierar vi signaturen?",
        "Vilket scope behöver token ha för att läsa {field}? Vi har läst dokumentationen men blir inte kloka på det.",
        "Vi får 'invalid_grant' när vi förnyar token efter en timme. Hur ska refresh-flödet se ut?",
        "Vår utvecklare har skrivit en loop som hämtar ärenden men den tar aldrig slut – hur vet man när sista sidan är nådd?",
        "Behöver vi ett klientcertifikat för att anropa {api}, och i så fall hur beställer vi det?",
        "I {lang} får vi ett SSL-fel när vi anropar testmiljön. Curl fungerar. Någon idé om vad vi gör fel?",
        "Hur mappar vi era enhetskoder till våra kostnadsställen? Finns det en uppslagstjänst i API:t?",
        "Vi får 415 Unsupported Media Type. Vilken Content-Type ska vi skicka?",
        "Kan någon förklara skillnaden mellan {field} och ansvarig enhet i svaret? Vi vet inte vilket vi ska använda.",
        "Är det fel i ert API eller i vår kod? Vi får 422 med 'personnummer ogiltigt' men vi skickar det med bindestreck.",
        "Vi vill ha hjälp att komma igång med {api}: vilka anrop behövs för att skapa ett ärende och koppla en handling?",
        "Vår JSON-parser klagar på att datumen har tidszon. Hur rekommenderar ni att man hanterar det?",
        "Hur ska vi sätta upp idempotens när vi skickar in ärenden, så att vi inte skapar dubbletter vid omförsök?",
        "Kan ni förklara felkoden ERR_VALIDATION_17 som vi får tillbaka? Den finns inte med i dokumentationen vi har.",
        "Vi skulle behöva en genomgång av hur versionshanteringen fungerar – ska vi anropa v1 eller v2?",
        "Jag har ärvt en integration från en tidigare kollega och förstår inte hur den loggar in. Kan ni hjälpa till?",
        "Vår Postman-samling fungerar men samma anrop från {app} får 401. Vi har säkert missat någon header.",
        "Hur filtrerar man på ändrade poster sedan ett visst datum? Vi vill bara hämta delta.",
        "Det står i dokumentationen att fältet är valfritt, men hur ska vi skicka det när det saknas – null eller utelämnat?",
        "Vi sparar resultatet i vår egen databas men får ett fel när vi skriver till vår tabell, kan ni hjälpa oss att förstå svarsformatet så vi mappar rätt?",
        "Är det ett fel hos er att vi får 401? Vi har roterat hemligheten i vår nyckelvalv i veckan.",
        "Vilken tidszon förväntar sig API:t i frågeparametrarna?",
        "Hur hanterar vi att token går ut mitt i en lång körning?",
    ],
)
pool(
    "assistance",
    "sv",
    "detail",
    [
        "Vår kod:\nvar resp = await client.PostAsync(url, content);\nresp.EnsureSuccessStatusCode(); // kastar här",
        '{{"error":"invalid_client","error_description":"Client authentication failed"}}',
        "requests.post(url, data={{'grant_type':'client_credentials'}}, auth=(cid, secret))\n-> 401",
        'HTTP 400 {{"errors":[{{"field":"{field}","message":"must match yyyy-MM-dd"}}]}}',
        "Newtonsoft.Json.JsonSerializationException: Cannot deserialize the current JSON object into type 'List`1'",
        "Vi följer avsnitt 3.2 i integrationsguiden men får inte ihop det.",
        'curl -H "Authorization: {{token}}" https://test.example-kommun.se{endpoint}',
    ],
)
pool(
    "assistance",
    "sv",
    "close",
    [
        "Tacksam för vägledning!",
        "Kan ni peka oss i rätt riktning?",
        "Finns det exempelkod?",
        "Vi kan gärna boka en kort genomgång.",
        "Vad gör vi för fel?",
        "Hur rekommenderar ni att vi gör?",
        "Tack för hjälpen!",
    ],
)
pool(
    "assistance",
    "en",
    "subject",
    [
        "How to authenticate against {api}?",
        "Question about mapping {field}",
        "How do I call {endpoint}?",
        "401 when requesting a token",
        "Is this a bug or am I doing it wrong?",
        "Where is the API documentation?",
        "Help with pagination",
        "Example request needed",
        "400 Bad Request from our client",
        "OAuth flow question",
        "How to verify webhook signatures?",
        "[Question] date format",
    ],
)
pool(
    "assistance",
    "en",
    "core",
    [
        "How do we authenticate against {api}? We have a client id and secret but aren't sure which OAuth flow to use.",
        "We get 401 Unauthorized when requesting a token. Should the credentials go in the body or as Basic auth?",
        "Which field in {api} corresponds to {field} in our system? We're building the mapping.",
        "Is this a bug? We get 400 Bad Request when sending the date as 3/1/2024. Or are we calling it wrong?",
        "Our {lang} client throws when deserialising the response; probably our model doesn't match the schema.",
        "Where can I find the documentation for {endpoint}? The link in the partner portal seems broken.",
        "How does pagination work in {endpoint}: offset/limit or the next link?",
        "Could you share an example request for {endpoint} filtered by date?",
        "Which scope does the token need to read {field}? The docs aren't clear to me.",
        "We get 'invalid_grant' when refreshing the token. What should the refresh flow look like?",
        "What Content-Type should we send? We get 415 Unsupported Media Type.",
        "How do we subscribe to webhooks and validate the signature header?",
        "Our integration works in Postman but {app} gets 401, we're probably missing a header.",
        "What's the recommended way to fetch only records changed since a timestamp?",
        "I inherited this integration and don't understand how it logs in. Could someone walk me through it?",
        "Is it a problem on your side or in our code? We get 422 'invalid identity number' when sending it with a dash.",
        "Should optional fields be sent as null or omitted?",
        "What does error code ERR_VALIDATION_17 mean? It isn't listed in the docs we have.",
        "How do we make retries idempotent so we don't create duplicate cases?",
        "Which API version should new integrations use, v1 or v2?",
    ],
)
pool(
    "assistance",
    "en",
    "detail",
    [
        "Our code:\nconst res = await fetch(url, {{ headers }});\nconst data = await res.json(); // TypeError here",
        '{{"error":"invalid_client","error_description":"Client authentication failed"}}',
        'HTTP 400 {{"errors":[{{"field":"{field}","message":"must match yyyy-MM-dd"}}]}}',
        "requests.exceptions.SSLError: certificate verify failed: unable to get local issuer certificate",
        "We followed section 3.2 of the integration guide.",
    ],
)
pool(
    "assistance",
    "en",
    "close",
    [
        "Any pointers appreciated!",
        "What are we doing wrong?",
        "Is there sample code somewhere?",
        "Happy to jump on a short call.",
        "Thanks for your help!",
        "What would you recommend?",
    ],
)

# --------------------------------------------------------------------------------------- performance
pool(
    "performance",
    "sv",
    "subject",
    [
        "Långsamma svar från {api}",
        "Timeout vid hämtning",
        "Nattjobbet tar för lång tid",
        "Prestanda i vår integration",
        "504 Gateway Timeout",
        "Hur snabbar vi upp synken?",
        "Batchkörning tar {secs} minuter",
        "Optimering av anrop",
        "Svarstider över {secs} sekunder",
        "Hög belastning från vår integration",
        "Throttling / 429",
        "Prestandafråga",
    ],
)
pool(
    "performance",
    "sv",
    "core",
    [
        "Vår nattliga synk mot {api} tar numera över sex timmar för {n} poster. Hur kan vi optimera den?",
        "Varje anrop till {endpoint} tar {secs} sekunder när vi hämtar stora sidor. Vilken sidstorlek rekommenderar ni?",
        "Vi får timeout efter {secs} sekunder när vi hämtar alla ärenden på en gång. Hur bör vi dela upp hämtningen?",
        "Integrationen blir långsam när många användare är inne samtidigt. Kan vi parallellisera anropen?",
        "Vi behöver hjälp att trimma vår batchkörning, den hinner inte klart innan verksamheten börjar på morgonen.",
        "Vi får 429 Too Many Requests när vi kör importen. Hur många anrop per sekund tål ni, och hur bör vi strypa?",
        "Hur ska vi tänka kring caching för att minska antalet anrop mot {api}?",
        "Vår Power BI-uppdatering mot {api} tar så lång tid att den avbryts. Kan ni hjälpa oss att optimera frågorna?",
        "Genomströmningen är ca {n} poster i timmen, vi behöver minst det dubbla. Vad kan vi göra på vår sida?",
        "Vi hämtar varje person med ett eget anrop och det blir {n} anrop per körning – finns det ett bättre sätt med befintliga anrop?",
        "Svarstiderna varierar mellan 1 och {secs} sekunder beroende på tid på dygnet. Kan vi schemalägga smartare?",
        "Vi vill ha en genomgång av hur vi använder API:t, vi tror att vår integration gör onödigt många anrop.",
        "504 Gateway Timeout när vi hämtar dokument större än 20 MB. Hur ska vi hämta stora filer effektivt?",
        "Vår synk blockerar eftersom vi väntar på varje svar sekventiellt. Hur många parallella anslutningar är rimligt?",
        "Det fungerar korrekt men är för segt: en full export tar {secs} minuter.",
        "Kan vi använda ändringsdatum för att bara hämta delta och på så sätt korta körtiden?",
        "Vi ser att CPU:n på vår integrationsserver går i taket när vi parsar svaren, finns det ett lättare format?",
        "Vi behöver optimera vår import så att den klarar {n} ärenden per natt inom tidsfönstret.",
        "Hur bör vi konfigurera keep-alive och connection pooling mot {api} för bästa prestanda?",
        "Laddtiderna i {app} är dåliga eftersom vi anropar {api} vid varje sidvisning. Tips på hur vi kan förbättra det?",
        "Vår MuleSoft-flöde får read timeout ibland vid hög last. Vilka timeoutvärden rekommenderar ni?",
        "Allt blir rätt, det är bara att det går så långsamt – kan ni hjälpa oss att hitta flaskhalsen i hur vi anropar?",
        "Hur lång tid bör ett anrop mot {endpoint} med 500 rader ta? Vi ligger på {secs} sekunder och undrar om vi gör något ineffektivt.",
        "Kan ni granska vår anropsstrategi? Vi hämtar hela registret varje timme.",
    ],
)
pool(
    "performance",
    "sv",
    "detail",
    [
        "Mätning: p50 {secs} s, p95 {secs}0 s, {n} anrop per körning.",
        "System.Net.Http.HttpRequestException: The operation was canceled. (timeout {secs}s)",
        "HTTP/1.1 504 Gateway Timeout",
        "HTTP 429 Too Many Requests, Retry-After: 30",
        "Körlogg: start 01:00, slut 07:12, {n} poster.",
        "Vi kör pageSize=1000 och 1 tråd.",
    ],
)
pool(
    "performance",
    "sv",
    "close",
    [
        "Vad rekommenderar ni?",
        "Vi behöver få ner körtiden.",
        "Kan vi boka en konsult för att se över det?",
        "Alla tips uppskattas.",
        "Det här blir ett problem när volymerna växer.",
    ],
)
pool(
    "performance",
    "en",
    "subject",
    [
        "Slow responses from {api}",
        "Timeouts during nightly sync",
        "Batch job too slow",
        "Performance tuning",
        "504 Gateway Timeout on large exports",
        "429 Too Many Requests",
        "Throughput question",
        "Sync takes {secs} minutes",
        "How to speed up our import?",
    ],
)
pool(
    "performance",
    "en",
    "core",
    [
        "Our nightly sync against {api} takes more than six hours for {n} records. How can we speed it up?",
        "Each call to {endpoint} takes {secs} seconds with large pages. What page size do you recommend?",
        "We hit timeouts after {secs} seconds when fetching all cases at once. How should we chunk the requests?",
        "We get 429 Too Many Requests during the import. What rate is allowed and how should we throttle?",
        "Throughput is around {n} records per hour; we need at least double. What can we change on our side?",
        "We fetch every person with a separate request, {n} calls per run. Is there a smarter way with the existing endpoints?",
        "Everything is correct, it's just too slow. Could you help us find the bottleneck in how we call the API?",
        "How should we configure connection pooling and keep-alive for best performance?",
        "The BI refresh against {api} times out. Can you help us optimise the queries we run?",
        "Latency varies between 1 and {secs} seconds depending on time of day. Should we schedule our jobs differently?",
        "Can you review our polling strategy? We download the whole register every hour.",
        "Downloading large documents gives 504 Gateway Timeout. What's the efficient way to fetch big files?",
        "How many parallel requests is reasonable before we start hurting the service?",
        "Page load in {app} is poor because we call {api} on every view. Any caching advice?",
    ],
)
pool(
    "performance",
    "en",
    "detail",
    [
        "Measurements: p50 {secs}s, p95 {secs}0s, {n} requests per run.",
        "System.Threading.Tasks.TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout of {secs} seconds elapsing.",
        "HTTP/1.1 504 Gateway Timeout",
        "HTTP 429 Too Many Requests\nRetry-After: 30",
        "Run log: start 01:00, end 07:12, {n} records.",
    ],
)
pool(
    "performance",
    "en",
    "close",
    [
        "What do you recommend?",
        "We need to bring the run time down.",
        "Any tuning tips appreciated.",
        "Could a consultant review our setup?",
    ],
)

# ---------------------------------------------------------------------------------------- activation
pool(
    "activation",
    "sv",
    "subject",
    [
        "Aktivera {api}",
        "Aktivering av gränssnitt",
        "Vilka API:er är aktiva hos oss?",
        "403 – inte aktiverat?",
        "Beställning: aktivering av webhooks",
        "Slå på {api} i {env}",
        "Gränssnittet är inte påslaget",
        "Behöver {api} aktiverat",
        "Vilka tjänster har vi tillgång till?",
        "Öppna upp API för vår installation",
        "Aktivering i produktion",
    ],
)
pool(
    "activation",
    "sv",
    "core",
    [
        "Vi skulle behöva få {api} aktiverat i vår installation, det verkar inte vara påslaget hos oss.",
        "Vi får 403 Forbidden med texten 'interface not enabled' när vi anropar {endpoint}. Kan ni aktivera gränssnittet?",
        "Kan ni ta reda på vilka gränssnitt som är aktiva i vår installation? Vi hittar ingen lista.",
        "Vi har köpt till modulen och vill nu att {api} aktiveras i {env}.",
        "{api} finns inte i vår miljö, anropet ger 404 på hela sökvägen. Dokumentationen säger att det ska finnas – behöver det slås på?",
        "Inför driftsättningen behöver webhooks för ärendehändelser aktiveras i produktionen.",
        "Vilka API:er ingår och är aktiverade i vår installation idag? Vi planerar nästa års integrationer.",
        "Vi har en ny installation och inget av REST-gränssnitten svarar. Behöver de aktiveras separat?",
        "Kan ni aktivera SOAP-tjänsten för elevregistret även i testmiljön? Den är bara aktiv i produktion.",
        "Vi får 403 fast token är giltig och har rätt scope. Vår gissning är att {api} inte är aktiverat för vår kommun – stämmer det?",
        "Beställning: aktivering av {api} för {org}, kontaktperson för tekniska frågor är {name}.",
        "Vi vill veta om Bygglov-API:et är påslaget hos oss innan vi börjar utveckla mot det.",
        "Vår leverantör säger att {api} måste aktiveras av er innan de kan testa. Hur går vi tillväga?",
        "Gränssnittet verkar vara avstängt i vår installation efter flytten till ny server. Kan ni slå på det igen?",
        "Är händelsewebhooken aktiverad för oss? Vi får inga anrop och i admin syns den inte alls.",
        "Vi behöver tillgång till {api} i utbildningsmiljön, där är det inte aktiverat.",
        "Felmeddelandet säger 'module not licensed/activated'. Vi har licensen – kan ni aktivera modulen?",
        "Kan ni lista vilka endpoints som är aktiverade för vår organisation, så vi vet vad vi kan använda?",
        "Vi får 403 ApiNotActivated på alla anrop mot {endpoint}. Vad kostar det att aktivera?",
        "Vi vill slå på fakturaexporten i vår installation från och med nästa månad.",
        "Inget av anropen i {api} fungerar hos oss men hos grannkommunen fungerar de – är det aktiverat hos dem men inte hos oss?",
        "Kan ni kontrollera om API-åtkomst är påslagen för vår nya testinstans?",
    ],
)
pool(
    "activation",
    "sv",
    "detail",
    [
        'HTTP/1.1 403 Forbidden\n{{"error":"interface_not_enabled","interface":"cases"}}',
        '{{"code":"ApiNotActivated","message":"The requested interface is not active in this installation"}}',
        "HTTP 404 på {endpoint} i vår miljö, 200 i er demomiljö.",
        "Installation: {org}, version {version}, miljö: {env}",
        "Licensnummer: LIC-{id}",
    ],
)
pool(
    "activation",
    "sv",
    "close",
    [
        "Vad behöver ni från oss för att aktivera?",
        "Skicka gärna en offert på aktiveringen.",
        "När kan det vara på plats?",
        "Tack för en snabb aktivering!",
        "Vi vill gärna ha det aktiverat innan månadsskiftet.",
    ],
)
pool(
    "activation",
    "en",
    "subject",
    [
        "Please activate {api}",
        "Which interfaces are active for us?",
        "403 interface not enabled",
        "Enable webhooks in production",
        "Interface activation request",
        "{api} not available in our installation",
        "Turn on API access for {env}",
    ],
)
pool(
    "activation",
    "en",
    "core",
    [
        "We need {api} activated in our installation; it doesn't seem to be enabled for us.",
        "We get 403 Forbidden with 'interface not enabled' when calling {endpoint}. Can you activate it?",
        "Could you tell us which interfaces are currently active in our installation?",
        "We have bought the module and would like {api} enabled in {env}.",
        "{api} returns 404 for the whole path in our environment although the docs list it. Does it need to be switched on?",
        "Before go-live we need the case event webhooks enabled in production.",
        "We get 403 even with a valid token and the right scope. Our guess is {api} isn't activated for our organisation.",
        "Please enable API access for our new test instance.",
        "The error says 'module not activated'. We hold the licence, can you activate the module?",
        "Can you list the endpoints enabled for our organisation so we know what we can use?",
        "It works for the neighbouring municipality but not for us, is the interface active on their installation only?",
        "Our supplier says you have to activate {api} before they can start testing. What's the process?",
    ],
)
pool(
    "activation",
    "en",
    "detail",
    [
        'HTTP/1.1 403 Forbidden\n{{"error":"interface_not_enabled","interface":"documents"}}',
        '{{"code":"ApiNotActivated","message":"The requested interface is not active in this installation"}}',
        "Installation: {org}, version {version}, environment: {env}",
    ],
)
pool(
    "activation",
    "en",
    "close",
    [
        "What do you need from us to activate it?",
        "Please send a quote for the activation.",
        "When could it be in place?",
        "Thanks for enabling it quickly!",
    ],
)

# ----------------------------------------------------------------------------------------- extension
pool(
    "extension",
    "sv",
    "subject",
    [
        "Önskemål: nytt fält {field}",
        "Förslag på ny endpoint",
        "Utökning av {api}",
        "Bulk-endpoint önskas",
        "Saknar möjlighet att filtrera",
        "Feature request: webhooks för fler händelser",
        "Nytt API för beslut?",
        "Önskan om utökat gränssnitt",
        "Kan ni lägga till {field}?",
        "Utvecklingsönskemål",
        "Stöd för PATCH?",
    ],
)
pool(
    "extension",
    "sv",
    "core",
    [
        "Vi skulle vilja att {api} utökas med fältet {field}, det finns i systemet men inte i gränssnittet.",
        "Finns det planer på en endpoint för att hämta beslut? Vi saknar det helt och behöver det för {app}.",
        "Önskemål: kunna filtrera {endpoint} på ändringsdatum. Idag måste vi hämta allt.",
        "Vår synk tar fem timmar eftersom vi måste hämta en post i taget. Kan ni bygga en bulk-endpoint där man hämtar många poster i ett anrop?",
        "Det vore bra med webhooks även för dokumenthändelser, inte bara ärenden.",
        "Kan {api} få stöd för att skriva, inte bara läsa? Vi vill kunna skapa ärenden från {app}.",
        "Vi önskar att {field} exponeras i API:t. Är det något ni kan lägga in i en kommande version?",
        "Vi behöver ett nytt gränssnitt för att exportera schemadata till vår lärplattform. Finns det något sådant på gång?",
        "Skulle ni kunna lägga till stöd för PATCH så att vi slipper skicka hela objektet?",
        "Det saknas ett sätt att söka personer på e-postadress i API:t. Kan det läggas till?",
        "Vi är beredda att vara med och finansiera utvecklingen av ett API för lönearter om det behövs.",
        "Ett önskemål från flera kommuner i vårt förbund: en endpoint som returnerar ändringslogg per ärende.",
        "Prestandan är okej men vi skulle vilja ha en ny batch-endpoint för att skicka in {n} fakturarader i ett anrop istället för en i taget.",
        "Kan API:t utökas så att det också returnerar handläggarens telefonnummer?",
        "Vore det möjligt att få en GraphQL-variant av {api}? Det skulle förenkla för oss.",
        "Vi saknar möjligheten att ladda upp filer större än 10 MB via API:t – kan gränsen höjas i en kommande version?",
        "Förslag: lägg till ett fält för extern referens så att vi kan koppla ihop poster med vårt system.",
        "Vi vill kunna prenumerera på händelser när en person flyttar. Finns det i er roadmap?",
        "Går det att beställa ett nytt anrop för att stänga ärenden via API? Vi betalar gärna för det om det krävs.",
        "Det hade varit smidigt om {endpoint} även tog emot en lista med id:n i samma anrop.",
        "Vi önskar en utökning av fakturaexporten med kostnadsställe på radnivå.",
        "Skulle ni kunna exponera {field} för historiska poster också? Idag kommer bara aktuella värden.",
        "Vår nattkörning tar för lång tid med dagens anrop – vi föreslår att ni tar fram ett nytt massexport-API.",
    ],
)
pool(
    "extension",
    "sv",
    "detail",
    [
        'Förslag på svar:\n{{"id": {id}, "{field}": "...", "externalRef": "ABC-1"}}',
        "Användningsfall: {app} behöver visa {field} för handläggarna.",
        "Prioritet: hög för oss, vi planerar driftsättning till hösten.",
        "Önskad endpoint: POST /api/v2/cases/bulk",
    ],
)
pool(
    "extension",
    "sv",
    "close",
    [
        "Hur går vi vidare med önskemålet?",
        "Kan det komma med i nästa version?",
        "Vi är öppna för att delfinansiera.",
        "Vem beslutar om sådant hos er?",
        "Tacksam för besked om det är aktuellt.",
    ],
)
pool(
    "extension",
    "en",
    "subject",
    [
        "Feature request: {field} in {api}",
        "Request for a bulk endpoint",
        "[Feature] filter by modified date",
        "Proposal: new endpoint for decisions",
        "Add PATCH support?",
        "Extend webhooks to documents",
        "Enhancement: expose {field}",
        "Roadmap question: write access",
    ],
)
pool(
    "extension",
    "en",
    "core",
    [
        "**Is your feature request related to a problem?**\nWe can't get {field} through {api}.\n**Describe the solution you'd like**\nExpose it in the response.",
        "Are there plans for an endpoint to fetch decisions? We need it for {app}.",
        "It would be great to filter {endpoint} by modification date instead of fetching everything.",
        "Our sync takes five hours because we fetch records one at a time. Could you add a bulk endpoint that returns many records per call?",
        "Please add webhooks for document events, not only cases.",
        "Could {api} support writes too? We'd like to create cases from {app}.",
        "Could you add PATCH support so we don't have to send the whole object?",
        "There's no way to search persons by email in the API. Could that be added?",
        "We'd be willing to co-fund the development of a payroll items endpoint.",
        "Would it be possible to get a GraphQL flavour of {api}?",
        "Proposal: add an external reference field so we can link records to our system.",
        "Could the upload limit of 10 MB be raised in a future version?",
        "Suggestion: let {endpoint} accept a list of ids in one request.",
    ],
)
pool(
    "extension",
    "en",
    "detail",
    [
        'Suggested response:\n{{"id": {id}, "{field}": "..."}}',
        "Use case: {app} needs to show {field}.",
        "Desired endpoint: POST /api/v2/cases/bulk",
    ],
)
pool(
    "extension",
    "en",
    "close",
    [
        "Is this on the roadmap?",
        "Who decides on requests like this?",
        "We're open to co-funding.",
        "Could this make it into the next release?",
    ],
)

# ---------------------------------------------------------------------------------------- unofficial
pool(
    "unofficial",
    "sv",
    "subject",
    [
        "Läsa direkt från databasen",
        "Fråga om datamodellen",
        "Tabellstruktur för {table}?",
        "SQL-fråga mot er databas",
        "ER-diagram önskas",
        "Skrapa webbgränssnittet",
        "Intern endpoint",
        "Läsbehörighet till databasen",
        "ODBC-koppling",
        "Vy i databasen för rapporter",
        "Databasschema",
        "Skriva direkt till tabellen",
    ],
)
pool(
    "unofficial",
    "sv",
    "core",
    [
        "Vi läser direkt i databasen för att hämta ärenden till {app}, men kolumnen för handläggare är tom. Vilken tabell ska vi använda?",
        "Kan ni skicka datamodellen / ER-diagrammet för er databas så att vi kan bygga rapporter direkt mot tabellerna?",
        "Vi har en SQL-fråga mot tabellen {table} som slutade fungera efter uppdateringen. Har kolumnnamnen ändrats?",
        "Vi har fått en läsanvändare på SQL Server-databasen av drift och vill koppla Power BI direkt mot den. Vilka tabeller innehåller personuppgifterna?",
        "Vår konsult skrapar webbgränssnittet för att få ut beslut eftersom det går snabbare än API:t. Nu har inloggningssidan ändrats.",
        "Vi anropar en intern endpoint som vi hittade i webbläsarens nätverksflik, /internal/api/search. Den ger 401 sedan i veckan.",
        "Vi skriver in fakturarader direkt i tabellen {table} via en nattlig SSIS-körning. Kan ni berätta vilka fält som är obligatoriska?",
        "Bara en liten sak: vi har en ODBC-koppling mot er Oracle-databas för att läsa personregistret, vilken vy är bäst att läsa från?",
        "Vi vill bara läsa, inte skriva – kan vi få en databasanvändare med läsrättighet mot produktionsdatabasen?",
        "Vi har byggt en rapport som läser direkt från er databas med en vy vi skapat själva. Efter patchen saknas tabellen {table}.",
        "Kan ni förklara relationen mellan tabellerna {table} och ARENDE_HANDELSE? Vi joinar dem i vår datalagerladdning.",
        "Vi använder Selenium för att logga in i klienten och hämta ut listor automatiskt, men nu kommer det en captcha.",
        "Vilka stored procedures används när man skapar ett ärende? Vi vill anropa dem direkt från vår integration.",
        "Vi vill uppdatera status direkt i databasen med en UPDATE-sats eftersom API:t saknar det. Finns det triggers vi behöver tänka på?",
        "Vår leverantör av BI-verktyget vill ha en databasdump för att kunna kartlägga strukturen.",
        "Vi hittade en odokumenterad endpoint i er webbklient som ger allt vi behöver. Kan vi använda den i produktion?",
        "Vi replikerar er databas till vårt datalager varje natt och läser därifrån. Nu har några kolumner bytt datatyp – vad betyder de nya värdena?",
        "Enkel fråga: vilket kolumnnamn har personnumret i personregistrets tabell? Vi ska bara läsa ut det till vårt system.",
        "Vi har en Python-robot som loggar in i webbgränssnittet och klickar fram rapporter och sparar ner HTML:en.",
        "Vi läser handlingar direkt från filarean där systemet sparar dem och kopplar via databasens dokumenttabell.",
        "Kan ni ge oss ett databasdiagram över modulen? Vi planerar att bygga vår integration mot tabellerna.",
        "Vi har en länkad server i SQL Server mot er databas. Efter uppgraderingen får vi 'Invalid object name'.",
        "Går det att läsa er databas med en read-only-användare? Vi lovar att inte skriva något.",
        "Vi tittade på trafiken från klienten med Fiddler och anropar nu samma interna tjänst från vår kod.",
    ],
)
pool(
    "unofficial",
    "sv",
    "detail",
    [
        "SELECT p.PNR, p.NAMN, a.STATUS FROM {table} p JOIN ARENDE a ON a.PERSON_ID = p.ID WHERE a.STATUS = 3",
        "Msg 208, Level 16, State 1: Invalid object name '{table}'.",
        "Data Source=db01.kommun.local;Initial Catalog=VERKSAMHET_PROD;User Id=rapport_ro;Password=*****",
        "UPDATE {table} SET STATUS = 5 WHERE ARENDE_ID = {id}",
        "GET /internal/api/search?q=*&take=5000 -> 401",
        'driver.find_element(By.ID, "btnLogin").click()',
        "INSERT INTO {table} (FAKTURA_ID, BELOPP) VALUES ({id}, 100.00)",
        "ORA-00942: table or view does not exist",
    ],
)
pool(
    "unofficial",
    "sv",
    "close",
    [
        "Vilka tabeller ska vi använda?",
        "Kan ni skicka kolumnbeskrivningar?",
        "Det är bara läsning, så det borde väl gå bra?",
        "Tacksam för en lista över tabellerna.",
        "Hur ska vi göra för att det ska fortsätta fungera?",
    ],
)
pool(
    "unofficial",
    "en",
    "subject",
    [
        "Reading directly from the database",
        "Data model / ER diagram",
        "Table structure for {table}",
        "SQL query against your DB",
        "Scraping the web client",
        "Undocumented internal endpoint",
        "Read-only DB user",
        "Database schema documentation",
        "Direct DB write",
    ],
)
pool(
    "unofficial",
    "en",
    "core",
    [
        "We read cases directly from your database for {app}, but the officer column is empty. Which table should we use?",
        "Could you send the data model / ER diagram so we can build reports straight on the tables?",
        "Our SQL query against {table} broke after the upgrade. Were the column names changed?",
        "Operations gave us a read-only login on the SQL Server database and we'd like to point Power BI at it. Which tables hold the person data?",
        "Our consultant scrapes the web client to extract decisions because it's quicker than the API. The login page changed.",
        "We call an internal endpoint we found in the browser's network tab, /internal/api/search, and it returns 401 since this week.",
        "We insert invoice rows directly into {table} with a nightly job. Which columns are mandatory?",
        "Just a quick one: we have an ODBC connection to your Oracle database to read the person register, which view is best?",
        "We only want to read, not write — can we get a read-only database account on production?",
        "We found an undocumented endpoint in your web client that gives us everything we need. Can we use it in production?",
        "We replicate your database into our data warehouse every night. Some columns changed type, what do the new values mean?",
        "We have a bot that logs into the web UI, clicks through the reports and saves the HTML.",
        "Which stored procedures run when a case is created? We'd like to call them directly.",
    ],
)
pool(
    "unofficial",
    "en",
    "detail",
    [
        "SELECT p.PNR, p.NAME FROM {table} p WHERE p.UPDATED > '2024-01-01'",
        "Msg 208, Level 16, State 1: Invalid object name '{table}'.",
        "Server=db01.internal;Database=VENDOR_PROD;User Id=report_ro;Password=*****",
        "page.goto('https://client.example/login'); await page.fill('#user', u)",
        "GET /internal/api/search?q=*&take=5000 -> 401",
    ],
)
pool(
    "unofficial",
    "en",
    "close",
    [
        "Which tables should we use?",
        "Could you send column descriptions?",
        "It's read-only, so it should be fine?",
        "How do we keep it working after upgrades?",
    ],
)

# ------------------------------------------------------------------ more phrasings (variety, both languages)
P[("defect", "sv", "core")] += [
    "Antalet poster i {api} stämmer inte: vi får {n} men rapporten i systemet visar fler. Det började efter er patch.",
    "Nu returnerar {api} poster som tillhör en annan organisation – det är en allvarlig dataläcka.",
    "Webhook-signaturen stämmer inte längre, vi räknar på samma sätt som förut men er HMAC har ändrats utan förvarning.",
    "Vi får 500 bara för vissa personnummer, de som har samordningsnummer. Verkar vara ett fel i er validering.",
    "Gränssnittet svarar 200 men body är en HTML-sida med felmeddelande istället för JSON.",
    "Sedan i onsdags saknas bilagorna i svaret från {endpoint}, de fanns där tidigare.",
    "Det blev fel efter helgens driftsättning: {field} har fått fel värde på alla poster som ändrats efter måndag.",
    "POST mot {endpoint} med ett ärende utan handläggare ger 500 och ärendet skapas ändå dubbelt.",
    "Telefonnumren kommer utan landsnummer sedan {version}, det är inte vad specifikationen säger.",
    "Efter versionsbytet kommer alla belopp som strängar med komma som decimaltecken, det bryter mot ert eget schema.",
]
P[("defect", "en", "core")] += [
    "**Describe the bug**\n{endpoint} responds 500 when {field} contains an emoji.\n**Steps**\n1. Save a record with an emoji\n2. Fetch it\n**Expected**\n200 and the text unchanged",
    "Sorting by {field} is broken: descending order returns ascending results. Started with {version}.",
    "Phone numbers come back without country code since {version}, which contradicts the spec.",
    "The API returns amounts as strings with a comma decimal separator after the upgrade; the schema says number.",
    "The list endpoint includes records from another organisation. This is a serious data exposure issue.",
    "Webhook signatures no longer validate; our HMAC code is unchanged, so the signing on your side must have changed.",
    "Regression: since {version} the API responds 200 with an HTML error page instead of JSON.",
    "Updating {field} through PUT silently resets other fields to their defaults. Worked fine on the previous version.",
    "Expected `{field}` to be an ISO date per the OpenAPI spec, got an epoch integer instead. Changed in {version}.",
    "GET {endpoint} crashes with 500 when the name contains an apostrophe (O'Brien).",
    "Intermittent 502s on every second request since your deploy on Monday; the same call succeeds on retry.",
    "### Bug report\nVersion: {version}\nThe `next` link in paginated responses points to http:// instead of https:// and fails.",
]
P[("assistance", "sv", "core")] += [
    "Vår Excel-makro som anropar {api} slutade fungera när vi bytte dator. Vad behöver vi installera?",
    "Är det vi som gör fel? Vårt anrop ger 400 och meddelandet säger att {field} saknas, men vi tror att vi skickar det.",
    "Vi är osäkra på hur vi ska läsa specifikationen för {endpoint}, vilka parametrar är obligatoriska?",
    "Vår utvecklare får ett JSON-fel i sin egen kod när svaret innehåller en tom lista. Hur bör vi hantera det?",
    "Hur testar vi mot testmiljön utan att påverka riktiga data? Finns det testpersoner?",
    "Vilken är rätt bas-URL för produktion? Vi får 404 men tror att det är vår konfiguration.",
    "Kan ni förklara hur vi ska tolka felkoderna i svaret? Vår felhantering fångar inte 409.",
    "Vi behöver hjälp att förstå hur man kopplar en handling till ett ärende i två steg via API:t.",
    "Vår Java-tjänst kastar ClassCastException när vi läser {field}. Vi har nog typat fältet fel hos oss?",
    "Vi har precis börjat och undrar i vilken ordning man ska göra anropen för att registrera en ny brukare.",
]
P[("assistance", "en", "core")] += [
    "Question: how can I create a case and attach a document in one go? Which calls are needed?",
    "Is there a sandbox with test data we can use while developing?",
    "What's the correct base URL for production? We get 404, probably a config mistake on our end.",
    "How should our client handle 409 Conflict responses when updating a record?",
    "We're getting CORS errors calling the API from our browser app. How is this supposed to be set up?",
    "Can you explain the difference between the two date fields in the response? We don't know which to map.",
    "Our HttpClient throws 'The SSL connection could not be established' only on our server. Any idea what we're missing?",
    "Is there an official SDK or OpenAPI file we can generate a client from?",
    "Our Java service throws ClassCastException reading {field}; I suspect we typed the field wrong on our side?",
    "Newbie question: in which order do the calls have to be made to register a new person?",
]
P[("performance", "sv", "core")] += [
    "Vi vill ha råd kring backoff och parallellitet, vi får många 429 när vi synkar {n} poster.",
    "Svaren är korrekta men svarstiden har blivit ett problem när fler kommuner använder vår tjänst. Hur skalar vi vår integration?",
    "Vi undrar om vi kan komprimera svaren (gzip) för att snabba upp hämtningen av stora listor.",
    "Hur kan vi minska latensen i {app}? Varje sidladdning gör fem anrop mot {api}.",
    "Importen går segt, ca {secs} sekunder per post. Är det bättre att köra flera trådar eller större sidor?",
    "Månadsskiftets körning av fakturaunderlag drar över tidsfönstret. Hur lägger vi upp anropen effektivare?",
]
P[("performance", "en", "core")] += [
    "p95 latency for {endpoint} is around {secs} s from our side. Are there tuning options, like smaller pages or field selection?",
    "Can we enable gzip compression to speed up downloading large lists?",
    "We need to process {n} updates per night within a two-hour window. How should we design the job for throughput?",
    "Our worker spends most of its time waiting on sequential calls. What level of parallelism do you recommend?",
    "High latency from our Azure region; would caching tokens and reusing connections help?",
    "The month-end billing export overruns its window. How can we structure the calls more efficiently?",
]
P[("activation", "sv", "core")] += [
    "Vi vill börja använda {api} men vet inte om det ingår i vår installation. Kan ni kontrollera och i så fall slå på det?",
    "Efter uppgraderingen till {version} är gränssnittet för fakturaexport avslaget hos oss, kan ni aktivera det igen?",
    "Vilka API:er har vi tillgång till idag? Vi vill jämföra med vad vårt avtal omfattar.",
    "Vänligen aktivera händelsewebhooken för vår testinstans, vi behöver den för att kunna testa flödet.",
    "Inför upphandlingen behöver vi en förteckning över vilka gränssnitt som är igång i vår installation.",
    "Modulen är köpt men API-delen verkar inte vara igång – alla anrop ger 403. Kan ni starta upp den?",
]
P[("activation", "en", "core")] += [
    "Please activate {api} in both test and production for our organisation.",
    "After the upgrade the invoice export interface seems to be disabled for us. Can you re-enable it?",
    "We're planning next year's integrations and need an overview of which interfaces our installation has active.",
    "Is {api} part of our installation? If not, what does it take to get it enabled?",
    "We bought the module but its API part doesn't seem to be running; everything is 403. Can you bring it up?",
    "Our tenant lacks the documents interface, the menu says 'not included'. How do we get it turned on?",
]
P[("extension", "sv", "core")] += [
    "Vi saknar ett anrop för att hämta statistik per enhet – kan ni bygga ett sådant?",
    "Skulle ni kunna lägga till sortering på {field} i {endpoint}?",
    "Önskemål från vår förvaltningsgrupp: webhooks när ett beslut fattas, så att vi slipper polla.",
    "Det vore värdefullt om {api} kunde returnera ändringar som en ström (delta) istället för hela listan – en ny funktion alltså.",
    "Vi behöver kunna skapa användare via API:t vid nyanställning. Är det något som kan komma?",
    "Går det att få med bilder på anläggningarna i svaret? Det finns i systemet men inte i gränssnittet.",
]
P[("extension", "en", "core")] += [
    "Feature request: support ETag/If-None-Match on {endpoint} so clients can do conditional requests.",
    "Could you expose {field} in the API? It's visible in the UI but not available to integrations.",
    "We'd love a sandbox endpoint to reset test data. Would you consider adding it?",
    "Proposal: add a `fields` parameter so clients can request only the attributes they need.",
    "Importing {n} rows one request at a time is painful; an endpoint that takes a batch would help a lot.",
    "Any chance of server-sent events or a streaming endpoint for changes? Polling is wasteful for us.",
]
P[("unofficial", "sv", "core")] += [
    "Kan vi koppla Qlik direkt mot er databasserver? Vilket schema ska vi använda?",
    "Vi har reverse-engineerat klientens anrop och använder nu samma bakomliggande tjänst från vår integration.",
    "Vi har lagt en trigger i er databas som skickar ändringar vidare till vårt system. Efter patchen får vi fel i triggern.",
    "Vi exporterar data genom att spara ner webbsidorna i klienten och tolka HTML:en. Nu har sidlayouten ändrats.",
    "Vi har en mjukvarurobot (RPA) som loggar in i klienten som en vanlig användare och för över uppgifter till ekonomisystemet.",
    "Driften har gett oss inloggning till databasservern. Vilka av era tabeller innehåller fakturorna?",
    "Vi läser loggfilerna och databasens temporära tabeller för att se när ett ärende ändras – finns det en bättre tabell?",
]
P[("unofficial", "en", "core")] += [
    "Can we point Metabase straight at your database server? Which schema holds the cases?",
    "We reverse-engineered the desktop client's calls and now call the same backend service from our integration.",
    "We added a trigger in your database that pushes changes to our system. After the patch the trigger fails.",
    "We save the client's web pages and parse the HTML to export data. The layout changed and our parser broke.",
    "We run a software robot (RPA) that logs into the client as a normal user and copies data into our finance system.",
    "IT operations gave us access to the database server. Which of your tables contain the invoices?",
]

P[("performance", "en", "core")] += [
    "Requests with expand=details take {secs} seconds, without it they take well under a second. What's the efficient way to get the related data?",
    "Our dashboard feels sluggish: loading one screen fires dozens of API calls. How would you restructure it?",
    "The sync is correct but slow, roughly {secs} ms per record. Would bigger pages or parallel workers help more?",
    "We keep getting 503 Service Unavailable at peak hours from our batch job. Should we spread the load or reduce concurrency?",
    "Memory on our integration server spikes when we page through {n} records. Is there a leaner way to stream the data?",
    "What is a sensible polling interval? We poll every 10 seconds and wonder if that's hurting response times.",
]
P[("performance", "sv", "core")] += [
    "När vi tar med relaterade objekt (expand) tar varje anrop {secs} sekunder, utan dem går det snabbt. Hur hämtar vi det effektivt?",
    "Vi får 503 under dagtid när vår batch kör. Ska vi sprida ut körningen eller minska antalet samtidiga anrop?",
    "Hur ofta är det rimligt att polla {api}? Vi gör det var tionde sekund och undrar om det påverkar svarstiderna.",
    "Minnet på integrationsservern tar slut när vi bläddrar igenom {n} poster. Finns det ett snålare sätt att hämta dem?",
]
P[("extension", "sv", "core")] += [
    "Att uppdatera {n} poster en i taget tar lång tid. Kan ni ta fram ett anrop för massuppdatering?",
    "Vår import är seg eftersom API:t bara tar emot en post per anrop – önskemålet är en ny endpoint som tar emot flera åt gången.",
    "Kan gränsen på antal anrop per sekund höjas, eller kan ni bygga ett importanrop för stora mängder? Dagens gräns gör att synken tar en hel natt.",
    "Det skulle hjälpa oss om det fanns ett anrop som returnerar alla ändringar sedan en viss tidpunkt – något sådant finns inte idag.",
]
P[("extension", "en", "core")] += [
    "Updating {n} records one by one is slow. Could you provide a bulk update endpoint?",
    "The per-second rate limit makes our import take all night; could you add an import endpoint for large volumes?",
    "Would you consider adding OAuth device flow support? Our kiosk clients can't use the current flow.",
    "It'd be nice if the API offered a changes feed since a given timestamp; nothing like that exists today.",
]
P[("unofficial", "en", "core")] += [
    "The admin web UI fetches its data from a JSON API that isn't documented anywhere. It has more fields than the public API, so we'd like to sync from it.",
    "We run a SQL query every five minutes against your audit table to detect changes. After the upgrade rows are missing.",
    "Our reporting views sit on top of your MSSQL schema. After the patch several columns disappeared; what are the new names?",
    "We were given a copy of the production database for our data warehouse. What do the status codes in the case table mean?",
]
P[("unofficial", "sv", "core")] += [
    "Webbklienten hämtar sina data från ett JSON-API som inte finns med i dokumentationen. Det har fler fält än det publika API:t, så vi vill synka därifrån.",
    "Vi kör en SQL-fråga mot er loggtabell var femte minut för att hitta ändringar. Efter uppgraderingen saknas rader.",
    "Vi har byggt egna vyer ovanpå ert databasschema för rapportering. Efter patchen är flera kolumner borta.",
    "Vi har fått en kopia av produktionsdatabasen till vårt datalager. Vad betyder statuskoderna i ärendetabellen?",
]

P[("assistance", "sv", "core")] += [
    "Vår egen kod kraschar när den läser svaret från {api}: 'Index was outside the bounds of the array'. Vi tror felet ligger hos oss men förstår inte svarsformatet.",
    "Integrationsflödet vi byggt i {app} stannar med ett konverteringsfel på {field}. Hur ska värdet tolkas?",
    "Skriptet som vår praktikant skrev får ett undantag varje gång listan är tom. Hur ser svaret ut när inget finns?",
    "Vi har gjort en uppslagning i vår kod som inte fungerar – vilket id ska användas, det interna eller det externa?",
]
P[("assistance", "en", "core")] += [
    "Our own code crashes parsing the {api} response with 'Index was outside the bounds of the array'. We think it's on our side but don't understand the format.",
    "The flow we built in {app} stops with a conversion error on {field}. How should that value be interpreted?",
    "Our script throws whenever the list is empty. What does the response look like when there are no results?",
]

# ------------------------------------------- GitHub-issue style English, informal Swedish (variety, round 2)
# Issue trackers: markdown sections, version tables, fenced logs, "+1" replies, feature-request templates.
# Each new phrasing lands in train or held-out by the same per-pool split as everything above.
pool(
    "defect",
    "en",
    "subject",
    P[("defect", "en", "subject")]
    + [
        "[Bug] {endpoint} returns wrong totals",
        "SDK pagination stops after the first page",
        "`{field}` serialised as empty string since {version}",
        "Same issue here (+1)",
        "HEAD not allowed on {endpoint}",
        "Unexpected 415 after upgrading to {version}",
        "Response does not match openapi.json",
        "Discount applied twice in net amount",
        "Booleans returned as strings",
    ],
)
P[("defect", "en", "core")] += [
    "**Describe the bug**\n`{endpoint}` returns a different `{field}` than the client shows for the same record.\n\n**To Reproduce**\n1. Open record {id} in the client\n2. `GET {endpoint}`\n3. Compare `{field}`\n\n**Expected behavior**\nThe same value in both.\n\n**Actual behavior**\nThe API still has the value from before the last edit.",
    "## Bug\nThe order line `discount` is applied twice in `net_amount` since {version}. With 10 % off we get 19 % off in the response, the client shows the right figure.",
    "| component | version |\n|---|---|\n| API | {version} |\n| SDK | {lang} |\n\nAfter moving to this version `{field}` is serialised as an empty string instead of `null`, which breaks our schema validation.",
    "Not sure this is the right place, but {api} started rejecting requests that carry a `charset` in Content-Type (415) after {version}. The previous version accepted exactly the same request.",
    "The official SDK's list helper stops after the first page: it reads `nextLink`, but the API returns `next` since {version}. SDK and API seem to have drifted apart.",
    "Same here, +1. {api} gives us 500 too since {version}; every request with `expand` fails, without it the call works.",
    "HEAD requests to {endpoint} answer 405 Method Not Allowed since {version}, although the reference says HEAD is supported.",
    'Boolean flags come back as the strings "true"/"false" for some records and as real booleans for others. Our typed client chokes on it.',
    "The `Retry-After` header on 503 responses contains a date in the past, so every client retries at once. Looks like a clock or formatting bug on the server.",
    "Creating a record returns 201 with a `Location` header that points to a URL which answers 404. The record does exist under its id.",
]
P[("defect", "en", "detail")] += [
    "**Environment**\n| | |\n|---|---|\n| API version | {version} |\n| Client | {lang} |\n| Environment | {env} |",
    "```\nHTTP/1.1 500 Internal Server Error\nx-request-id: {id}\ncontent-type: text/html\n```",
    "### Steps to reproduce\n1. Call `{endpoint}`\n2. Inspect `{field}`\n\n### Actual\n`null`\n\n### Expected\nThe value shown in the client",
]
pool(
    "assistance",
    "en",
    "subject",
    P[("assistance", "en", "subject")]
    + [
        "[Question] how does expand work?",
        "Usage question: acting for several organisations",
        "redirect_uri mismatch in local dev",
        "Is the SDK client thread-safe?",
        "How to combine several filters?",
        "403 insufficient_scope after following the quick start",
        "Help wanted: first integration",
        "Docs question about {field}",
    ],
)
P[("assistance", "en", "core")] += [
    "### Question\nWhat's the right way to combine filters on {endpoint}? `?status=open&status=closed` only gives us the open ones. Is there a different syntax for several values?",
    "Newbie here. I followed the quick start, but the example call gives me `403 insufficient_scope`. Which scope do I have to ask for in the token request?",
    "Our Spring Boot app fails when the generated client parses a response:\n```\nCaused by: com.fasterxml.jackson.databind.exc.MismatchedInputException: Cannot deserialize value of type `java.time.OffsetDateTime`\n```\nIs there a recommended ObjectMapper configuration for your date format?",
    "Can someone explain how the `expand` parameter is meant to be used? I can't get the related contacts included in the response.",
    "I'm using the Python SDK from an async web app. Is the client object safe to share between requests, or should I create one per request?",
    "Not a bug, just a usage question: how do I tell the API which organisation I'm acting for when our token covers several of them?",
    "Getting `invalid_request: redirect_uri mismatch` when testing the authorization code flow on localhost. What should we register for local development?",
    'Our own paging helper blows up on the last page:\n```\n  File "ourlib/pager.py", line 31, in fetch_all\n    cursor = resp["links"][0]["href"]\nIndexError: list index out of range\n```\nWhat does the `links` array look like when there are no more pages?',
    "I read the reference for {endpoint} twice and still don't get when `{field}` is filled in. Is there a guide that explains the lifecycle?",
]
P[("assistance", "en", "core")] += [
    "Our sync worker dies while mapping the response – the stack trace is all our own code:\n```\nSystem.InvalidOperationException: Nullable object must have a value.\n   at Contoso.CaseSync.Mapping.CaseMapper.ToEntity(CaseDto dto) in /src/CaseSync/Mapping/CaseMapper.cs:line 88\n```\nWhich fields can be missing from a case, so we know what to guard against?",
    "```\nTypeError: Cannot read properties of undefined (reading 'id')\n    at mapCase (/app/src/mappers/case.js:14:22)\n```\nThat's in our mapper. When is `unit` left out of the response? The reference doesn't say.",
    "Our job crashes with `AttributeError: 'NoneType' object has no attribute 'get'` in `our_sync/people.py`. I guess some persons lack `{field}` – is it optional?",
]
P[("assistance", "sv", "core")] += [
    "Vår tjänst kraschar i vår egen mappningskod:\nSystem.InvalidOperationException: Nullable object must have a value.\n   at Kommun.Integration.PersonSync.Map(PersonDto p)\nVilka fält kan saknas i svaret så att vi kan hantera det?"
]
P[("assistance", "en", "detail")] += [
    '```python\nclient = Client(base_url=BASE, token=TOKEN)\nresult = client.cases.list(status=["open", "closed"])\n```',
    "What I tried:\n- regenerated the secret\n- checked the clock on the server\n- same result with curl",
]
pool(
    "performance",
    "en",
    "subject",
    P[("performance", "en", "subject")]
    + [
        "p99 latency spikes every hour",
        "Our polling can't keep up",
        "Which call is fastest for a full load?",
        "Throughput of the batch calls",
        "Sluggish responses with large pages",
        "Connection pool sizing",
    ],
)
P[("performance", "en", "core")] += [
    "We already use the batch call, but every batch of 500 takes {secs} s. Would smaller batches or more batches in parallel give better throughput?",
    "Before we build anything: which of the existing calls is quickest for a full nightly load of {n} records – listing with a big page size, or the export?",
    "Our p99 latency jumps to {secs} s at the top of every hour. Should we move our jobs away from that minute or spread the calls out?",
    "One full pass of our change detection over {n} records now takes longer than the interval between passes. How would you detect changes efficiently with what the API offers today?",
    "Responses from {api} get sluggish when we ask for 1000 items per page. Is a smaller page faster overall?",
    "How should we size the HTTP connection pool and the timeouts for roughly {n} requests an hour?",
]
P[("performance", "en", "detail")] += [
    "| run | records | duration |\n|---|---|---|\n| Mon | {n} | 3h 40m |\n| Tue | {n} | 4h 05m |",
    "```\nhttpcore.ConnectTimeout: timed out\n```",
]
pool(
    "extension",
    "en",
    "subject",
    P[("extension", "en", "subject")]
    + [
        "[Feature] attachments on decisions",
        "Would be nice: count endpoint",
        "Feature: sort on several fields",
        "Enhancement: subscribe to changes",
        "SDK: built-in retries",
        "Request: write support for {field}",
    ],
)
P[("extension", "en", "core")] += [
    "**Is your feature request related to a problem?**\nOur users can't see the attachments of a decision.\n\n**Describe the solution you'd like**\nAn `attachments` array on the decision resource.\n\n**Additional context**\nWe would use it in {app}.",
    "+1 from us as well – being able to subscribe to changes of `{field}` would save us a full nightly sync.",
    "Would be nice to have a `count` endpoint, so we can show totals without paging through everything.",
    "Feature: allow sorting on several fields, e.g. `sort=lastName,firstName`. Today only one sort key is accepted.",
    "The {lang} SDK has no built-in retry with backoff. Could that be added to the SDK so every integrator doesn't write their own?",
    "We keep a copy of the data in our data warehouse and reload all of it every night; a changes endpoint in the public API would let us load only deltas.",
    "Is there any plan to offer a webhook for `{field}` changes? It's not in the event catalogue today.",
]
P[("extension", "en", "close")] += ["👍 if you need this too.", "Happy to test a beta.", "Any ETA?"]
P[("unofficial", "en", "core")] += [
    "Our nightly ETL connects to your Postgres instance and copies the case tables. After {version} the job fails on a missing column – which table replaced it?",
    "We noticed the web client posts to a `/ui-api/` path that isn't in the reference. Can we call it from our service with a normal API token?",
    "We parse the HTML of the client's report page with a headless browser to get figures that the API lacks. The markup changed in {version}, what are the new element ids?",
]

pool(
    "defect",
    "sv",
    "subject",
    P[("defect", "sv", "subject")]
    + ["Bugg efter patchen?", "Fel belopp i svaret", "Konstigt svar från {endpoint}", "Nåt har ändrats i {api}"],
)
P[("defect", "sv", "core")] += [
    "hej, nåt har hänt med {api} efter helgens patch. {field} kommer tomt på alla poster men i klienten står det rätt. vi har inte rört vår kod",
    "Rabatten räknas två gånger i nettobeloppet sedan {version} – 10 % rabatt blir 19 % i svaret, i klienten stämmer det.",
    "Location-headern vi får vid POST pekar på en adress som ger 404, fast posten finns när vi söker på id.",
]
P[("assistance", "sv", "core")] += [
    "vi fattar inte riktigt hur expand-parametern ska användas, får inte med kontaktpersonerna i svaret. hur ska anropet se ut?",
    "Vår token gäller för flera organisationer i förbundet – hur anger man vilken organisation anropet gäller?",
    "Ny på det här! Vi följde kom-igång-guiden men exemplet ger 403 insufficient_scope. Vilket scope ska vi be om?",
    "Vi har läst referensen för {endpoint} men förstår inte när {field} fylls i. Finns det någon beskrivning av flödet?",
]
P[("performance", "sv", "subject")] += ["Trögt på morgonen", "Seg integration", "Snabbaste sättet att hämta allt?"]
P[("performance", "sv", "core")] += [
    "Det går trögt att hämta scheman på morgonen när alla skolor synkar samtidigt. Hur bör vi sprida ut anropen?",
    "Finns det något befintligt anrop som går fortare för att läsa hela registret än att bläddra sida för sida?",
    "Vi ligger på ungefär {secs} sekunder per sida. Går det fortare totalt med mindre sidor eller med fler trådar?",
    "Körningen blir segare och segare – de första tusen posterna går fort, sen drar det ut. Gör vi något dumt med anslutningarna?",
]
P[("extension", "sv", "subject")] += ["Förslag: räkna antal", "Önskan: sortera på flera fält", "Idé till roadmapen"]
P[("extension", "sv", "core")] += [
    "+1 på det förslaget från grannkommunen – att kunna prenumerera på ändringar av {field} skulle spara oss en hel nattkörning.",
    "Skulle vara toppen med ett anrop som bara returnerar antal poster, så vi kan visa totalen utan att bläddra igenom allt.",
    "Vi har en kopia av datat i vårt datalager och laddar om allt varje natt. Ett anrop för ändringar i det publika API:t skulle låta oss ladda bara delta.",
]
P[("unofficial", "sv", "core")] += [
    "Vårt nattliga ETL-jobb kopplar upp sig mot er Postgres och kopierar ärendetabellerna. Efter {version} saknas en kolumn – vilken tabell har ersatt den?",
    "Webbklienten postar mot en sökväg /ui-api/ som inte finns i referensen. Kan vi anropa den från vår tjänst med en vanlig API-token?",
]

# Category-neutral framing: issue-tracker boilerplate (English) and e-mail footers (Swedish municipalities).
ISSUE_FRAMES = {
    "head": [
        "<!-- Please search existing issues before opening a new one. -->",
        "### Checklist\n- [x] I have searched the existing issues\n- [x] I have read the documentation",
        "<!-- Provide a general summary of the issue in the title above -->",
        "Hi team 👋",
    ],
    "tail": [
        "+1",
        "Any update on this?",
        "Same for us.",
        "_This issue was labelled `needs-triage` automatically._",
        "Possibly related: #{id}",
        "Edit: fixed formatting.",
        "cc @{first}",
    ],
}
MAIL_FOOTERS = [
    "Detta e-postmeddelande kan innehålla konfidentiell information. Om du inte är rätt mottagare, radera meddelandet.",
    "Skickat från Outlook för iOS",
    "När du skickar e-post till kommunen behandlar vi dina personuppgifter enligt dataskyddsförordningen (GDPR).",
    "Tänk på miljön innan du skriver ut detta mejl.",
]

CATEGORIES = ["defect", "assistance", "performance", "activation", "extension", "unofficial"]
KINDS = ["subject", "core", "detail", "close"]


# ------------------------------------------------------------------------------------- composition
def split_pools(pools: Pool, share: float) -> tuple[Pool, Pool]:
    """Partition every pool once (seeded by its key) into train and held-out templates."""
    train: Pool = {}
    heldout: Pool = {}
    for key, items in pools.items():
        order = list(items)
        random.Random(f"{SEED}:{key}").shuffle(order)
        cut = max(1, round(len(order) * share))
        heldout[key], train[key] = order[:cut], order[cut:]
    return train, heldout


def fill(template: str, rng: random.Random, lang: str, person: dict[str, str]) -> str:
    slots = SLOTS[lang]

    def repl(m: re.Match[str]) -> str:
        key = m.group(1)
        if key in person:
            return person[key]
        if key in slots:
            return rng.choice(slots[key])
        if key in COMMON_SLOTS:
            return rng.choice(COMMON_SLOTS[key])
        return m.group(0)

    text = re.sub(r"(?<!\{)\{(\w+)\}(?!\})", repl, template)
    return text.replace("{{", "{").replace("}}", "}")


SV_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "A", "Ä": "A", "Ö": "O"})


def add_noise(text: str, rng: random.Random, lang: str) -> str:
    """Informal writing: dropped/swapped letters, no capitals, Swedish letters folded to ASCII."""
    r = rng.random()
    if lang == "sv" and r < 0.12:
        text = text.translate(SV_FOLD)
    elif r < 0.22:
        text = text.lower()
    words = text.split(" ")
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4 and w.isalpha():
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)


def compose(category: str, lang: str, pools: Pool, rng: random.Random) -> dict[str, str]:
    person_name = rng.choice(SLOTS[lang]["name"])
    person = {
        "name": person_name,
        "first": person_name.split()[0],
        "org": rng.choice(SLOTS[lang]["org"]),
        "role": rng.choice(SLOTS[lang]["role"]),
    }

    def pick(kind: str) -> str:
        return fill(rng.choice(pools[(category, lang, kind)]), rng, lang, person)

    subject = pick("subject") if rng.random() < 0.85 else fill(rng.choice(NEUTRAL_SUBJECTS[lang]), rng, lang, person)
    shape = rng.random()
    cores = pools[(category, lang, "core")]
    n_core = 1 if shape < 0.45 else 2 if shape < 0.85 else 3
    chosen = rng.sample(cores, min(n_core, len(cores)))
    parts: list[str] = []
    short = shape < 0.2
    if not short and rng.random() < 0.7:
        parts.append(fill(rng.choice(GREETINGS[lang]), rng, lang, person))
    if not short and rng.random() < 0.4:
        parts.append(fill(rng.choice(CONTEXTS[lang]), rng, lang, person))
    parts.extend(fill(c, rng, lang, person) for c in chosen)
    if not short and rng.random() < 0.45:
        parts.append(pick("detail"))
    if rng.random() < 0.5:
        parts.append(pick("close"))
    if not short and rng.random() < 0.6:
        parts.append(fill(rng.choice(SIGNATURES[lang]), rng, lang, person))
    if lang == "en" and rng.random() < 0.3:  # filed in an issue tracker rather than mailed
        if rng.random() < 0.5:
            parts.insert(0, rng.choice(ISSUE_FRAMES["head"]))
        if rng.random() < 0.6:
            parts.append(fill(rng.choice(ISSUE_FRAMES["tail"]), rng, lang, person))
    if lang == "sv" and rng.random() < 0.12:
        parts.append(rng.choice(MAIL_FOOTERS))
    body = "\n\n".join(parts) if rng.random() < 0.6 else " ".join(parts)
    if rng.random() < 0.25:
        body = add_noise(body, rng, lang)
    if rng.random() < 0.1:
        subject = add_noise(subject, rng, lang)
    return {"subject": subject[:200], "body": body, "category": category, "language": lang}


def build(pools: Pool, per_category: int, rng: random.Random) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for category in CATEGORIES:
        made = 0
        attempts = 0
        while made < per_category and attempts < per_category * 20:
            attempts += 1
            lang = "sv" if rng.random() < SWEDISH_SHARE else "en"
            row = compose(category, lang, pools, rng)
            key = (row["subject"], row["body"])
            if key in seen:
                continue
            seen.add(key)
            rows.append(row)
            made += 1
    rng.shuffle(rows)
    return rows


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(out_dir: Path = OUT_DIR, write: Callable[[Path, list[dict[str, str]]], None] = write_jsonl) -> None:
    missing = [(c, lang, k) for c in CATEGORIES for lang in ("sv", "en") for k in KINDS if (c, lang, k) not in P]
    if missing:
        raise SystemExit(f"missing pools: {missing}")
    train_pools, heldout_pools = split_pools(P, HELDOUT_SHARE)
    train = build(train_pools, TRAIN_PER_CATEGORY, random.Random(SEED))
    heldout = build(heldout_pools, HELDOUT_PER_CATEGORY, random.Random(SEED + 1))
    write(out_dir / "train.jsonl", train)
    write(out_dir / "heldout.jsonl", heldout)
    print(f"train: {len(train)} rows, heldout: {len(heldout)} rows")


if __name__ == "__main__":
    main()
