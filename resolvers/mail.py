"""Mail is written to the outbox inside the caller's transaction; delivery happens later."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import OutboxAttachment, OutboxMessage
from gateway.i18n import format_value

TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "password_reset": {
        "it": (
            "Reimposta la password dell'Area Clienti",
            "Ciao {name},\n\nper scegliere una nuova password apri questo link entro un'ora:\n{link}\n\n"
            "Codice: {token}\n\nSe non hai chiesto tu il ripristino, ignora questo messaggio: "
            "la password attuale resta valida.\n",
        ),
        "en": (
            "Reset your customer area password",
            "Hello {name},\n\nto choose a new password open this link within one hour:\n{link}\n\n"
            "Code: {token}\n\nIf you did not ask for a reset, ignore this message: "
            "your current password still works.\n",
        ),
    },
    "password_changed": {
        "it": (
            "La password dell'Area Clienti è stata cambiata",
            "Ciao {name},\n\nla password del tuo accesso è stata cambiata il {when} (ora italiana). "
            "Tutte le altre sessioni sono state chiuse.\nSe non sei stato tu, contatta subito l'assistenza.\n",
        ),
        "en": (
            "Your customer area password was changed",
            "Hello {name},\n\nthe password of your login was changed on {when} (Italian time). "
            "All other sessions were ended.\nIf this was not you, contact support at once.\n",
        ),
    },
    "invitation": {
        "it": (
            "Invito a {organization} nell'Area Clienti",
            "Ciao,\n\n{inviter} ti invita a entrare in {organization} con il ruolo {role}.\n"
            "Accetta entro {days} giorni da questo link:\n{link}\n\nCodice: {token}\n\n"
            "Se non conosci chi ti invita, ignora questo messaggio.\n",
        ),
        "en": (
            "Invitation to {organization} in the customer area",
            "Hello,\n\n{inviter} invites you to join {organization} as {role}.\n"
            "Accept within {days} days from this link:\n{link}\n\nCode: {token}\n\n"
            "If you do not know who invited you, ignore this message.\n",
        ),
    },
    "domain_verification": {
        "it": (
            "Verifica i dati del dominio {domain}",
            "Gentile registrante,\n\nconferma che questo indirizzo è corretto per il dominio {domain} aprendo "
            "questo link:\n{link}\n\nCodice: {token}\n\nSenza conferma entro il {deadline} il dominio verrà "
            "sospeso, come richiesto dall'ICANN.\n",
        ),
        "en": (
            "Verify the contact data of {domain}",
            "Dear registrant,\n\nconfirm this address for the domain {domain} by opening this link:\n{link}\n\n"
            "Code: {token}\n\nWithout confirmation by {deadline} the domain will be suspended, as ICANN requires.\n",
        ),
    },
    "expiry_notice": {
        "it": (
            "{product} scade tra {days} giorni",
            "Gentile cliente,\n\n{product} scade il {date} ({renewal}).\n"
            "Controlla il metodo di pagamento o il credito prepagato nell'Area Clienti.\n",
        ),
        "en": (
            "{product} expires in {days} days",
            "Dear customer,\n\n{product} expires on {date} ({renewal}).\n"
            "Check your payment method or prepaid balance in the customer area.\n",
        ),
    },
    "renewal_to_pay": {
        "it": (
            "Rinnovo da pagare: {product}",
            "Gentile cliente,\n\nil rinnovo di {product} (ordine {number}, {total}) attende il pagamento: il credito "
            "prepagato non era sufficiente. Senza pagamento il servizio sarà sospeso allo scadere del periodo di "
            "tolleranza.\n",
        ),
        "en": (
            "Renewal to pay: {product}",
            "Dear customer,\n\nthe renewal of {product} (order {number}, {total}) waits for payment: the prepaid "
            "balance did not cover it. Without payment the service is suspended when the grace period ends.\n",
        ),
    },
    "organization_invoices": {
        "it": (
            "Le fatture di {organization}",
            "Gentile cliente,\n\n{organization} è stata eliminata. In allegato trovi le sue {count} fatture pagate, "
            "come richiesto.\n",
        ),
        "en": (
            "The invoices of {organization}",
            "Dear customer,\n\n{organization} has been deleted. Its {count} paid invoices are attached, "
            "as you asked.\n",
        ),
    },
    "email_verification": {
        "it": (
            "Conferma il tuo indirizzo email",
            "Ciao {name},\n\nper confermare che {email} è il tuo indirizzo apri questo link entro {hours} ore:\n"
            "{link}\n\nCodice: {token}\n\nFinché non lo confermi non riceverai inviti inviati a questo indirizzo. "
            "Se non hai chiesto tu questo accesso, ignora il messaggio.\n",
        ),
        "en": (
            "Confirm your email address",
            "Hello {name},\n\nto confirm that {email} is your address open this link within {hours} hours:\n"
            "{link}\n\nCode: {token}\n\nUntil you confirm it, invitations sent to this address do not reach you. "
            "If you did not ask for this login, ignore this message.\n",
        ),
    },
    "email_changed": {
        "it": (
            "L'email di accesso all'Area Clienti è cambiata",
            "Ciao {name},\n\nil tuo accesso usa ora l'indirizzo {email}; questo indirizzo non vale più per "
            "entrare.\nSe non sei stato tu, contatta subito l'assistenza.\n",
        ),
        "en": (
            "Your customer area login email changed",
            "Hello {name},\n\nyour login now uses the address {email}; this address no longer logs in.\n"
            "If this was not you, contact support at once.\n",
        ),
    },
    "product_transfer_offered": {
        "it": (
            "{giver} vuole cedere {product} a {organization}",
            "Ciao,\n\n{giver} offre a {organization} il prodotto {product} (servizi aggiuntivi inclusi: {addons}).\n"
            "Un titolare o un amministratore di {organization} può accettarlo o rifiutarlo entro il {expires} "
            "da questo link:\n{link}\n\nSe non vi aspettavate questa cessione, rifiutatela: "
            "senza una risposta l'offerta scade.\n",
        ),
        "en": (
            "{giver} wants to hand {product} over to {organization}",
            "Hello,\n\n{giver} offers {organization} the product {product} (add-ons included: {addons}).\n"
            "An owner or an admin of {organization} can accept or decline it by {expires} from this link:\n"
            "{link}\n\nIf you did not expect this hand-off, decline it: unanswered, the offer lapses.\n",
        ),
    },
    "webhook_disabled": {
        "it": (
            "Webhook disattivato per {organization}",
            "Gentile titolare,\n\nl'endpoint webhook {url} di {organization} non riceve gli eventi dal {since} "
            "(ora italiana): ogni tentativo è fallito per 24 ore, quindi l'abbiamo disattivato.\n"
            "Quando il ricevitore funziona di nuovo, riattivalo nell'Area Clienti e chiedi di nuovo l'invio "
            "degli eventi persi.\n",
        ),
        "en": (
            "Webhook disabled for {organization}",
            "Dear owner,\n\nthe webhook endpoint {url} of {organization} has not received events since {since} "
            "(Italian time): every attempt failed for 24 hours, so we disabled it.\n"
            "Once the receiver works again, enable it in the customer area and redeliver the events it missed.\n",
        ),
    },
    "recovery_email_changed": {
        "it": (
            "Indirizzo di recupero aggiornato",
            "Ciao {name},\n\nl'indirizzo email di recupero del tuo accesso è ora: {recovery}.\n"
            "Se non sei stato tu, contatta subito l'assistenza.\n",
        ),
        "en": (
            "Recovery address updated",
            "Hello {name},\n\nthe recovery email of your login is now: {recovery}.\n"
            "If this was not you, contact support at once.\n",
        ),
    },
}


def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    recipient: str,
    language: str,
    now: datetime,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    **values: Any,
) -> OutboxMessage:
    """`values` may be amounts (`Money`), dates, times and `Text`: Babel formats them for the reader."""
    by_language = TEMPLATES[kind]
    subject, body = by_language.get(language, by_language["en"])
    values = {name: format_value(value, language) for name, value in values.items()}
    message = OutboxMessage(
        id=uuid.uuid4(),
        kind=kind,
        recipient=recipient,
        subject=subject.format(**values),
        body=body.format(**values),
        created_at=now,
        next_attempt_at=now,
    )
    message.attachments = [
        OutboxAttachment(id=uuid.uuid4(), filename=filename, media_type=media_type, content=content)
        for filename, media_type, content in attachments
    ]
    session.add(message)
    return message
