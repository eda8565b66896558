"""Analyses as UWS job lists: the bridge between instrument plugins (``instruments``) and the UWS machinery.

``kinds`` makes a job kind per analysis (parameters checked at creation, the plugin run in a worker process),
``documents`` the index of analyses (HTML, JSON, DataLink service descriptors), ``limits`` the per-owner limit on
active jobs, and ``jobs`` assembles them for the application (``AnalysisJobs``).
"""

from vo_service.analysis.jobs import AnalysisJobs

__all__ = ["AnalysisJobs"]
