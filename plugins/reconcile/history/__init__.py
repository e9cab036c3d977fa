"""Each firm's history: status, name, address and representative over time, from the change
notices (Decree 122/2020 Art. 5, now Decree 168/2025) and the quarterly snapshots alike."""
