export { type Capability, mappingNamed } from './capability';
export { loadCapabilities, loadUsableCapabilities, findCapability, CapabilityConfigError, type CapabilitiesLoad, type ConfiguredCapability, type LoadCapabilitiesOptions } from './load-capabilities';
