export {
  describeWithRedisCluster,
  OwnRedisCluster,
  redisClusterToolsInstalled,
} from './redisCluster.js'
export { deleteKeys, freePort, OwnRedisServer, REDIS_URL } from './redisServer.js'
