/** @ei-gg/core/publisher: ordered, bounded publishing within the IoT Core payload limit. */
export { Publisher, type PublisherOptions, type PublishResult } from './publisher';
