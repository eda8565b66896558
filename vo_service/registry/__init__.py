"""The service in the IVOA registry: VOResource records of its parts and the OAI-PMH publishing registry.

``capabilities`` declares each endpoint once (for ``/capabilities`` and the records alike), ``models`` adds
the record types vo-models lacks, ``records`` builds the records, ``store`` keeps their datestamps,
``published`` stamps them, ``oai_request``/``oai_xml``/``oai`` serve them over OAI-PMH, and ``service``
assembles all that for the application (``ServiceRegistry``).
"""

from vo_service.registry.service import ServiceRegistry

__all__ = ["ServiceRegistry"]
