"""What people read, in Italian and English: the catalog, userErrors, GraphQL errors, PDFs, mails, IDN domains."""

from __future__ import annotations

import string

from gateway.i18n import ITALIAN, negotiate
from gateway.i18n.extract import templates
from tests.conftest import PASSWORD
from tests.graphql import SIGN_UP, gql, mailbox
from tests.orgs import join, organization, person, place_order
from tests.test_documents import pdf_text

PROFILE = """mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { userErrors { code message } } }"""
CREATE = """mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { userErrors { field code message } } }"""
INVOICES = """query($id: ID!) { organization(id: $id) { invoices(first: 5) { edges { node { number } } } } }"""
PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) {
  invoice { id number pdfUrl total { amountCents } } userErrors { code } } }"""
CHANGE = """mutation($i: ChangePasswordInput!) { changePassword(input: $i) { userErrors { code message } } }"""
PRODUCTS = """query($id: ID!, $search: String) { organization(id: $id) {
  products(first: 10, filter: {search: $search}) { edges { node { name nameAscii } } } } }"""
ORDER_LINES = """query($id: ID!) { organization(id: $id) { orders(first: 5) { edges { node {
  lines { domainName domainNameAscii description } } } } } }"""
BAD_SIGN_UP = {"input": {"email": "not-an-address", "password": PASSWORD, "fullName": "Ada"}}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_message_template_has_an_italian_text():
    found = templates()
    built_at_run_time = [f"{f.path.name}:{f.line}" for f in found if f.template is None]
    assert built_at_run_time == [], "a message built at run time (f-string, %, +, .format) cannot be translated"
    untranslated = sorted({f.template for f in found if f.template is not None and f.template not in ITALIAN})
    assert untranslated == [], "add these to gateway/i18n/locale/it/LC_MESSAGES/messages.po"
    # The Italian text fills in the same parameters as the English template.
    mismatched = [t for t in {f.template for f in found if f.template} if _fields(t) != _fields(ITALIAN[t])]
    assert mismatched == []
    assert len(found) > 150  # the walk sees the source: a broken extractor must not pass by finding nothing


def test_accept_language_negotiation():
    assert negotiate(None) == "it"
    assert negotiate("") == "it"
    assert negotiate("en-GB,en;q=0.9") == "en"
    assert negotiate("fr-FR, en;q=0.5, it;q=0.4") == "en"
    assert negotiate("de, fr") == "it"
    assert negotiate("en;q=0, it") == "it"
    assert negotiate("en;q=0.8, it;q=0.9") == "it"


async def test_anonymous_callers_read_errors_in_their_accept_language(client):
    expected = {
        None: "Inserisci un indirizzo email valido.",
        "it-IT,it;q=0.9": "Inserisci un indirizzo email valido.",
        "en-GB,en;q=0.9": "Enter a valid email address.",
        "fr-FR, en;q=0.5": "Enter a valid email address.",
        "de-DE": "Inserisci un indirizzo email valido.",
    }
    for accept, message in expected.items():
        headers = {"Accept-Language": accept} if accept else {}
        body = await gql(client, SIGN_UP, BAD_SIGN_UP, headers=headers)
        errors = body["data"]["signUp"]["userErrors"]
        assert errors == [{"field": ["input", "email"], "message": message, "code": "EMAIL_INVALID"}], accept
    # A template with a parameter: the number is formatted for the locale too.
    short = {"input": {"email": "short@example.com", "password": "abc", "fullName": "Ada"}}
    italian = await gql(client, SIGN_UP, short)
    english = await gql(client, SIGN_UP, short, headers={"Accept-Language": "en"})
    assert italian["data"]["signUp"]["userErrors"][0]["message"] == "La password deve avere almeno 12 caratteri."
    assert english["data"]["signUp"]["userErrors"][0]["message"] == "The password must be at least 12 characters."


async def test_a_users_language_wins_over_accept_language(client):
    ada = await person(client, "lingua@example.com")
    empty_name = {"input": {"name": "", "kind": "COMPANY", "legalName": "X Srl"}}
    italian = await gql(client, CREATE, empty_name, token=ada.token, headers={"Accept-Language": "en"})
    assert italian["data"]["createOrganization"]["userErrors"][0]["message"] == (
        "Il nome è obbligatorio e ha al massimo 200 caratteri."
    )
    assert (await ada.gql(client, PROFILE, {"i": {"language": "en"}}))["data"]["updateProfile"]["userErrors"] == []
    english = await gql(client, CREATE, empty_name, token=ada.token, headers={"Accept-Language": "it"})
    assert english["data"]["createOrganization"]["userErrors"] == [
        {
            "field": ["input", "name"],
            "code": "NAME_INVALID",
            "message": "The name is required and at most 200 characters.",
        }
    ]
    unsupported = await ada.gql(client, PROFILE, {"i": {"language": "xx"}})
    assert unsupported["data"]["updateProfile"]["userErrors"] == [
        {"code": "LANGUAGE_UNSUPPORTED", "message": "Choose Italian (it) or English (en)."}
    ]


async def test_refusals_name_the_right_in_words_in_the_readers_language(client):
    owner = await person(client, "titolare-lingua@example.com")
    org = await organization(client, owner, "Lingua Srl")
    helper = await person(client, "aiutante@example.com")
    await join(client, owner, org, helper, rights=["VIEW_PRODUCTS"])
    refused = await helper.gql(client, INVOICES, {"id": org})
    (error,) = refused["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN", "missingRight": "VIEW_BILLING"}
    assert error["message"] == "Serve il permesso di vedere la fatturazione in questa organizzazione."
    await helper.gql(client, PROFILE, {"i": {"language": "en"}})
    (error,) = (await helper.gql(client, INVOICES, {"id": org}))["errors"]
    assert error["message"] == "This needs the right to view billing in this organization."
    # Granting what one does not hold: the rights by name, never their codes.
    anonymous = await gql(client, INVOICES, {"id": org}, headers={"Accept-Language": "en"})
    assert anonymous["errors"][0]["message"] == "You must be logged in."


async def test_invoice_pdf_in_italian_and_in_english(client):
    owner = await person(client, "fattura-lingua@example.com")
    org = await organization(client, owner, "Fatture Srl")
    line = {"sku": "wordpress-business", "periodMonths": 36}  # 569.72 each, before VAT
    order = (await place_order(client, owner, org, line, line))["order"]
    variables = {"orderId": order["id"], "method": "CARD", "idempotencyKey": "i18n-1"}
    paid = await owner.gql(client, PAY, {"input": variables | {"source": {"cardNumber": "4242424242424242"}}})
    invoice = paid["data"]["payOrder"]["invoice"]
    headers = {"Authorization": f"Bearer {owner.token}"}

    italian = await client.get(invoice["pdfUrl"], headers=headers)
    assert italian.status_code == 200
    assert italian.headers["content-disposition"].startswith('attachment; filename="fattura-')
    drawn = pdf_text(italian.content)
    assert f"Fattura n. {invoice['number']}" in drawn
    assert "Data: 22 novembre 2026" in drawn
    assert "1.139,44\xa0€" in drawn  # the subtotal, as Babel writes euros for Italy
    assert "Imponibile" in drawn and "Pagata con carta." in drawn

    await owner.gql(client, PROFILE, {"i": {"language": "en"}})
    english = await client.get(invoice["pdfUrl"], headers=headers)
    assert english.headers["content-disposition"].startswith('attachment; filename="invoice-')
    drawn = pdf_text(english.content)
    assert f"Invoice no. {invoice['number']}" in drawn
    assert "Date: November 22, 2026" in drawn
    assert "€1,139.44" in drawn
    assert "Net" in drawn and "Paid by card." in drawn
    assert "Imponibile" not in drawn and "1.139,44" not in drawn


async def test_mails_in_the_recipients_language_with_babel_dates(client):
    italian = await person(client, "posta-it@example.com", "Ada Italiana")
    english = await person(client, "posta-en@example.com", "Ada English")
    await english.gql(client, PROFILE, {"i": {"language": "en"}})
    for who in (italian, english):
        body = await who.gql(client, CHANGE, {"i": {"currentPassword": PASSWORD, "newPassword": PASSWORD + " nuova"}})
        assert body["data"]["changePassword"]["userErrors"] == []
    # 09:00 UTC on the test clock is 10:00 in Rome in November.
    (it_mail,) = [m for m in await mailbox(client, italian.email) if m["kind"] == "password_changed"]
    assert it_mail["subject"] == "La password dell'Area Clienti è stata cambiata"
    assert "è stata cambiata il 22 nov 2026, 10:00:00 (ora italiana)" in it_mail["body"]
    (en_mail,) = [m for m in await mailbox(client, english.email) if m["kind"] == "password_changed"]
    assert en_mail["subject"] == "Your customer area password was changed"
    assert "was changed on Nov 22, 2026, 10:00:00\u202fAM (Italian time)" in en_mail["body"]


async def test_invitation_mail_names_the_role_in_words(client):
    owner = await person(client, "invita-lingua@example.com")
    org = await organization(client, owner, "Inviti Srl")
    invited = await person(client, "invitata-lingua@example.com")
    await join(client, owner, org, invited, role="ADMIN")
    (mail,) = [m for m in await mailbox(client, invited.email) if m["kind"] == "invitation"]
    assert "con il ruolo amministratore" in mail["body"] and "ADMIN" not in mail["body"]


async def test_internationalised_domains_read_in_unicode_and_are_found_by_either_form(client):
    owner = await person(client, "caffe@example.com")
    org = await organization(client, owner, "Caffè Srl")
    placed = await place_order(client, owner, org, {"sku": "domain-it", "periodMonths": 12, "domainName": "Caffè.it"})
    assert placed["userErrors"] == []
    assert placed["order"]["lines"][0]["product"]["name"] == "caffè.it"
    both = {"name": "caffè.it", "nameAscii": "xn--caff-8oa.it"}
    for term in ("caffè", "CAFFÈ.IT", "xn--caff-8oa", "xn--caff-8oa.it", "caff"):
        body = await owner.gql(client, PRODUCTS, {"id": org, "search": term})
        assert [e["node"] for e in body["data"]["organization"]["products"]["edges"]] == [both], term
    nothing = await owner.gql(client, PRODUCTS, {"id": org, "search": "caffé"})  # another letter: another name
    assert nothing["data"]["organization"]["products"]["edges"] == []
    orders = await owner.gql(client, ORDER_LINES, {"id": org})
    (line,) = orders["data"]["organization"]["orders"]["edges"][0]["node"]["lines"]
    assert (line["domainName"], line["domainNameAscii"]) == ("caffè.it", "xn--caff-8oa.it")
    assert "caffè.it" in line["description"] and "xn--" not in line["description"]
    # Taken in either form: the same name, whichever way it is typed.
    again = await place_order(
        client, owner, org, {"sku": "domain-it", "periodMonths": 12, "domainName": "xn--caff-8oa.it"}
    )
    assert [(e["code"], e["message"]) for e in again["userErrors"]] == [
        ("DOMAIN_UNAVAILABLE", "caffè.it non è disponibile.")
    ]


async def test_blockers_in_the_readers_language(client):
    owner = await person(client, "ostacoli@example.com")
    org = await organization(client, owner, "Ostacoli Srl")
    query = """query($id: ID!) { organization(id: $id) { leaveBlockers { code message } } }"""
    italian = (await owner.gql(client, query, {"id": org}))["data"]["organization"]["leaveBlockers"]
    assert italian == [
        {"code": "LAST_OWNER", "message": "Sei l'ultimo titolare: prima nomina titolare un altro membro."},
        {"code": "SOLE_MEMBER", "message": "Sei l'unico membro: elimina l'organizzazione invece di lasciarla."},
    ]
    await owner.gql(client, PROFILE, {"i": {"language": "en"}})
    english = (await owner.gql(client, query, {"id": org}))["data"]["organization"]["leaveBlockers"]
    assert [b["message"] for b in english] == [
        "You are the last owner: make another member owner first.",
        "You are the only member: delete the organization instead of leaving it.",
    ]
