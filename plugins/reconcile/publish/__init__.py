"""What people read: the inspectors' workbook, its CSV twin, the run summary."""
