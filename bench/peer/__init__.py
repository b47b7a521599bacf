"""Side-by-side benchmark against django-helpdesk 2.6.1 (`make bench-peer`)."""
