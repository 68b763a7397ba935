"""The service directory: organisations, services, phones, opening hours, LGSL codes and service areas."""
