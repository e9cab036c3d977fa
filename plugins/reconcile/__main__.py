import sys

from reconcile.cli import main

if __name__ == "__main__":  # Airflow imports every module under plugins/: never run on import
    sys.exit(main())
