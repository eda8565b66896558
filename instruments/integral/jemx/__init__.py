"""JEM-X, the INTEGRAL X-ray monitor (units JMX1 and JMX2): coded-mask imaging in 3-35 keV."""
