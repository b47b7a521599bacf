"""Imports every module that declares jobs, so that the registry knows them all."""

import helpdesk.admin.tasks
import helpdesk.agent_notifications.tasks
import helpdesk.incidents.tasks
import helpdesk.kb.tasks
import helpdesk.maintenance
import helpdesk.models
import helpdesk.notifications.tasks
import helpdesk.privacy.tasks
import helpdesk.ticket_routing.tasks  # noqa: F401
