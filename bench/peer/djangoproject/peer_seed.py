"""Prepare the peer's database: migrate, a public queue, N tickets with 2 follow-ups, an agent.

Run inside the peer's virtualenv with DJANGO_SETTINGS_MODULE=peer_settings:
`python peer_seed.py 10000`. Bulk inserts: a few seconds for 10,000 tickets.
"""

from __future__ import annotations

import sys

import django
from django.core.management import call_command

BATCH = 2_000
WORDS = ["attestation", "titre", "séjour", "rendez-vous", "compte", "dossier", "étudiant"]


def seed(tickets: int) -> None:
    """Create the queue, the tickets (with their follow-ups) in batches and a staff account."""
    from helpdesk.models import FollowUp, Queue, Ticket

    queue = Queue.objects.create(
        title="Support", slug="support", allow_public_submission=True, email_address=None
    )
    made = 0
    while made < tickets:
        size = min(BATCH, tickets - made)
        batch = [
            Ticket(
                title=f"Demande {made + i} : {WORDS[(made + i) % len(WORDS)]}",
                queue=queue,
                submitter_email=f"usager{made + i}@example.org",
                description=f"Bonjour, ma demande {made + i} concerne mon dossier. Merci.",
                status=Ticket.OPEN_STATUS if (made + i) % 3 else Ticket.CLOSED_STATUS,
                priority=3,
            )
            for i in range(size)
        ]
        Ticket.objects.bulk_create(batch)
        FollowUp.objects.bulk_create(
            FollowUp(ticket=ticket, title=title, comment=f"{title} ({ticket.pk}).", public=True)
            for ticket in batch
            for title in ("Réponse du support", "Réponse de l'usager")
        )
        made += size
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("bench", "bench@peer.example", "bench-password")
    print(f"peer: queue {queue.pk}, {made} tickets, {2 * made} follow-ups", flush=True)


def main() -> None:
    """Migrate quietly, then seed the number of tickets given on the command line."""
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    seed(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)


if __name__ == "__main__":
    main()
