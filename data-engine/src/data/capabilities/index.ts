export { type Capability, mappingNamed } from './capability';
export { loadCapabilities, findCapability, CapabilityConfigError, type ConfiguredCapability, type LoadCapabilitiesOptions } from './load-capabilities';
