"""Agent notifications: the in-app centre (bell, list, read marks) and agents' e-mails."""
