"""Reports: the KPIs of SPEC §9, their daily snapshots, the sales report and the owner's dashboard.

Reports read every domain; no domain reads them.
"""
