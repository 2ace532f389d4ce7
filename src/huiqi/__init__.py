"""huiqi (惠企): policies as code, matching and support programmes for high-tech parks."""

__version__ = "0.1.0"
