"""Background jobs: broker set-up, the transactional outbox and its relay, the actor helper."""
