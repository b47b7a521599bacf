"""Imports every module that declares jobs, so that the registry knows them all."""

import helpdesk.maintenance
import helpdesk.notifications.tasks  # noqa: F401
